"""``specwire rundown ...`` against a mock transport and a loopback socket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from specwire.cli import rundown as cli
from specwire.cli.main import app
from specwire.therundown import AsyncTheRundown, TheRundown
from tests.contract.therundown.cassette_data import USAGE_HEADERS, example

KEY = "cli-test-key-7b8c9d0e1f"
SNAPSHOT = example("/api/v2/sports/{sportID}/events/{date}")
ANSWERS = {
    "/api/v2/sports": example("/api/v2/sports"),
    "/api/v2/sportsbooks": {
        "affiliates": [
            {"affiliate_id": 19, "affiliate_name": "DraftKings", "affiliate_url": "https://sportsbook.draftkings.com"},
            {"affiliate_id": 23, "affiliate_name": "FanDuel", "affiliate_url": "https://sportsbook.fanduel.com"},
        ]
    },
}


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path in ANSWERS:
            return httpx.Response(200, json=ANSWERS[request.url.path], headers=USAGE_HEADERS)
        if "/markets/history" in request.url.path:
            return httpx.Response(200, json=example("/api/v2/events/{eventID}/markets/history"), headers=USAGE_HEADERS)
        if "/closing/" in request.url.path:
            return httpx.Response(200, json=example("/api/v2/sports/{sportID}/closing/{date}"), headers=USAGE_HEADERS)
        data = dict(SNAPSHOT)
        data["events"] = [dict(SNAPSHOT["events"][0])]
        data["events"][0]["markets"][0]["participants"][1]["lines"][0]["prices"]["23"] = {"price": 0.0001}
        return httpx.Response(200, json=data, headers=USAGE_HEADERS)

    def factory(asynchronous: bool = False, tier: str | None = None) -> Any:
        cls = AsyncTheRundown if asynchronous else TheRundown
        return cls(KEY, transport=httpx.MockTransport(handler), requests_per_second=1000)

    monkeypatch.setattr(cli._Options, "factory", factory)
    yield seen


runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, ["rundown", *args], env={"COLUMNS": "200"})


def test_sports_table(requests: list[httpx.Request]) -> None:
    result = invoke("sports")
    assert result.exit_code == 0, result.output
    assert "NBA" in result.stdout and "TENNIS.ATP" in result.stdout
    assert "3 data point(s)" in result.stderr and "18797 left this daily" in result.stderr


def test_sportsbooks_table(requests: list[httpx.Request]) -> None:
    result = invoke("sportsbooks")
    assert result.exit_code == 0
    assert "DraftKings" in result.stdout and "https://sportsbook.fanduel.com" in result.stdout


def test_events_asks_for_scores_only_and_shows_teams(requests: list[httpx.Request]) -> None:
    result = invoke("events", "NBA", "--date", "2026-01-15")
    assert result.exit_code == 0, result.output
    assert requests[0].url.path == "/api/v2/sports/4/events/2026-01-15"
    assert requests[0].url.params["affiliate_ids"] == "0"
    assert "Los Angeles Lakers" in result.stdout and "Boston Celtics" in result.stdout and "SCHEDULED" in result.stdout


def test_odds_table_with_names_and_off_board(requests: list[httpx.Request]) -> None:
    result = invoke("odds", "nba", "--date", "2026-01-15", "-m", "moneyline", "-b", "DraftKings", "-b", "FanDuel")
    assert result.exit_code == 0, result.output
    params = requests[-1].url.params
    assert (params["market_ids"], params["affiliate_ids"], params["main_line"]) == ("1", "19,23", "true")
    assert "+150" in result.stdout and "-180" in result.stdout and "Off Board" in result.stdout
    assert "DraftKings" in result.stdout and "FanDuel" in result.stdout


def test_bad_input_fails_cleanly_before_any_request(requests: list[httpx.Request]) -> None:
    result = invoke("odds", "curling", "--date", "2026-01-15")
    assert result.exit_code != 0 and "curling" in result.output
    result = invoke("events", "4", "--date", "yesterday")
    assert result.exit_code != 0 and "yesterday" in result.output
    assert requests == []


def test_save_history_and_closing_write_parquet(requests: list[httpx.Request], tmp_path: Path) -> None:
    event = "09bfa53f8484a63e584398545c035932"
    result = invoke("save-history", event, "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2 new change(s), 2 stored" in result.stdout
    assert (tmp_path / "market_history" / f"event_id={event}" / "data.parquet").exists()
    result = invoke("save-closing", "4", "--date", "2026-02-12", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "closing" / f"event_id={event}" / "data.parquet").exists()


def test_default_date_is_today_utc(requests: list[httpx.Request]) -> None:
    invoke("events", "4")
    assert requests[0].url.path.endswith(dt.datetime.now(dt.UTC).date().isoformat())
