"""``specwire rundown ...`` against a mock transport and a loopback socket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from specwire.cli import rundown as cli
from specwire.cli.main import app, main
from specwire.therundown import AsyncTheRundown, TheRundown
from typer.testing import CliRunner

from tests.contract.therundown.cassette_data import USAGE_HEADERS, example

KEY = "cli-test-key-7b8c9d0e1f"
SNAPSHOT = example("/api/v2/sports/{sportID}/events/{date}")
ANSWERS = {
    "/api/v2/sports": example("/api/v2/sports"),
    "/api/v2/sportsbooks": {
        "affiliates": [
            {
                "affiliate_id": 19,
                "affiliate_name": "DraftKings",
                "affiliate_url": "https://sportsbook.draftkings.com",
            },
            {
                "affiliate_id": 23,
                "affiliate_name": "FanDuel",
                "affiliate_url": "https://sportsbook.fanduel.com",
            },
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
            return httpx.Response(
                200, json=example("/api/v2/events/{eventID}/markets/history"), headers=USAGE_HEADERS
            )
        if "/closing/" in request.url.path:
            return httpx.Response(
                200, json=example("/api/v2/sports/{sportID}/closing/{date}"), headers=USAGE_HEADERS
            )
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
    assert (
        "Los Angeles Lakers" in result.stdout
        and "Boston Celtics" in result.stdout
        and "SCHEDULED" in result.stdout
    )


def test_odds_table_with_names_and_off_board(requests: list[httpx.Request]) -> None:
    result = invoke(
        "odds", "nba", "--date", "2026-01-15", "-m", "moneyline", "-b", "DraftKings", "-b", "FanDuel"
    )
    assert result.exit_code == 0, result.output
    params = next(r for r in requests if "/events/" in r.url.path).url.params
    assert (params["market_ids"], params["affiliate_ids"], params["main_line"]) == ("1", "19,23", "true")
    assert "+150" in result.stdout and "-180" in result.stdout and "Off Board" in result.stdout
    assert "DraftKings" in result.stdout and "FanDuel" in result.stdout


def test_bad_input_fails_cleanly_before_any_request(
    requests: list[httpx.Request], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rundown", "odds", "curling", "--date", "2026-01-15"]) == 1
    assert "unknown sport 'curling'" in capsys.readouterr().err
    assert main(["rundown", "events", "4", "--date", "yesterday"]) == 1
    assert "'yesterday'" in capsys.readouterr().err
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


def test_stream_prints_live_updates_until_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.support.ws_server import Send, Stall, WSServer

    frame = {
        "meta": {"type": "market_price", "version": "v2", "timestamp": 1772495104},
        "data": {
            "event_id": "9b9d0cf6007fdaeb15c3a1888dcfd5df",
            "affiliate_id": 19,
            "market_id": 3,
            "line": "1.5",
            "price": "-117",
            "updated_at": "2026-03-02T23:44:44Z",
        },
    }
    heartbeat = {"meta": {"type": "heartbeat"}, "data": {"now": "2026-03-02T23:44:59Z"}}
    with WSServer(
        [
            [
                Send(frame),
                Send(heartbeat),
                Send({**frame, "data": {**frame["data"], "price": "0.0001"}}),
                Stall(),
            ]
        ]
    ) as server:

        def factory(asynchronous: bool = False, tier: str | None = None) -> Any:
            return AsyncTheRundown(KEY, requests_per_second=1000, ws_url=server.url("/api/v2/ws/markets"))

        monkeypatch.setattr(cli._Options, "factory", factory)
        result = invoke("stream", "-m", "totals", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "event" in line]
    assert len(lines) == 2 and "-117" in lines[0] and "Off Board" in lines[1]
    assert server.connections[0].query["market_ids"] == "3"
