"""Every TheRundown endpoint through the public facade, replayed from its cassette.

For each endpoint there is a success and a documented failure. The test calls the facade method a user
would call, VCR checks that the request matches the recorded one (method, path, query), the recorded body
is validated against the spec's schema for that status, and the typed result (or the typed error) is
checked field by field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import pytest
from specwire.core.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from specwire.therundown import (
    OFF_BOARD,
    AsyncTheRundown,
    RateLimitKind,
    TheRundown,
    TheRundownError,
    to_rows,
)
from specwire_gen.therundown.models import ParticipantType

from tests.contract.therundown.cassette_data import EVENT, FUTURE, MISSING, USAGE_HEADERS, api_key
from tests.support.cassettes import CASSETTES, recorded
from tests.support.spec_validation import validate_response

CASSETTE_DIR = CASSETTES / "therundown"


@pytest.fixture
def rundown() -> TheRundown:
    # One recorded interaction per cassette: no retries, and no client-side wait.
    with TheRundown(api_key(), requests_per_second=1000, max_retries=0) as client:
        yield client


def _validate_cassette(name: str) -> list[dict[str, Any]]:
    interactions = recorded(CASSETTE_DIR / f"{name}.yaml")
    for item in interactions:
        url = urlsplit(item["request"]["uri"])
        body = item["response"]["body"]["string"]
        validate_response("therundown", "GET", url.path, item["response"]["status"]["code"], json.loads(body))
    return interactions


@attrs.frozen
class Case:
    name: str
    call: Callable[[TheRundown], Any]
    check: Callable[[Any], None]


def _check_events(r: Any) -> None:
    assert r.meta.delta_last_id == "193500000"
    event = r.events[0]
    assert event.event_id == "816efd1e5767d7133b5bc70c77173a18"
    assert event.sport_id == 4
    away = next(t for t in event.teams if t.is_away)
    assert (away.team_id, away.abbreviation, away.record) == (145, "LAL", "38-18")
    assert event.score.event_status.value == "STATUS_SCHEDULED"
    moneyline = event.markets[0]
    assert (moneyline.market_id, moneyline.name) == (1, "moneyline")
    lakers = moneyline.participants[0]
    assert lakers.type_ is ParticipantType.TEAM
    prices = lakers.lines[0].prices
    assert prices["19"].price == 150 and prices["23"].price == 155
    assert prices["19"].is_main_line is True
    totals = event.markets[2]
    assert [p.name for p in totals.participants] == ["Over", "Under"]
    assert totals.participants[0].lines[0].value == "224.5"
    rows = to_rows(r)
    assert len(rows) == 6 and {row["sportsbook_id"] for row in rows} == {19, 23}


def _check_event(r: Any) -> None:
    assert r.meta is None
    event = r.events[0]
    assert event.event_id == EVENT
    assert (event.rotation_number_away, event.rotation_number_home) == (529, 530)
    assert event.score.score_away_by_period == [27, 22, 26, 32]
    assert event.score.venue_name == "Spectrum Center"
    assert event.markets[0].id == 2518418
    assert event.markets[0].participants[0].lines[0].prices["19"].price == -105


def _check_lines(r: Any) -> None:
    event = r.events[0]
    assert event.event_id == EVENT
    price = event.markets[0].participants[0].lines[0].prices["19"]
    assert price.price in (-105, -112)
    assert price.is_main_line is True


def _check_closing(r: Any) -> None:
    price = r.events[0].markets[0].participants[0].lines[0].prices["19"]
    assert price.price == -112 and price.closed_at == "2026-02-12T00:00:00Z"


def _check_history(r: Any) -> None:
    rows = r.history
    assert r.meta.event_id == EVENT
    assert rows[-1].price == "-110" and rows[-1].previous_price == "-105"
    assert rows[-1].change_type == "price_change" and rows[-1].market_line_price_id == 192868821


CASES = [
    Case(
        "sports",
        lambda r: r.sports(),
        lambda x: _eq(
            [(s.sport_id, s.sport_name) for s in x.sports], [(2, "NFL"), (4, "NBA"), (38, "TENNIS.ATP")]
        ),
    ),
    Case(
        "sportsbooks",
        lambda r: r.sportsbooks(include_regions=True),
        lambda x: _eq([(a.affiliate_id, a.affiliate_name) for a in x.affiliates], [(19, "DraftKings")]),
    ),
    Case(
        "affiliates",
        lambda r: r.affiliates(),
        lambda x: _eq([a.affiliate_url for a in x.affiliates][1], "https://sportsbook.fanduel.com"),
    ),
    Case(
        "season_types",
        lambda r: r.season_types(),
        lambda x: _eq(
            (x.season_types[0].season_type_id, x.season_types[0].season_type_name), (2, "Regular Season")
        ),
    ),
    Case(
        "markets",
        lambda r: r.markets(),
        lambda x: _eq(
            [(m.id, m.name, m.live_variant_id, m.period_id) for m in x],
            [(1, "moneyline", 41, 0), (4, "moneyline_first_half", 1024, 1)],
        ),
    ),
    Case(
        "stats",
        lambda r: r.stats(sport_id="NBA"),
        lambda x: _eq((x[0].abbreviation, x[0].sport_id), ("PTS", 4)),
    ),
    Case("stats_sample", lambda r: r.stats_sample(), lambda x: _eq(x["event_id"], EVENT)),
    Case(
        "dates",
        lambda r: r.dates("nba", offset=300, date_format="iso8601"),
        lambda x: _eq(x.dates, ["2026-02-13T00:30:00+0000", "2026-02-14T00:00:00+0000"]),
    ),
    Case(
        "sports_dates",
        lambda r: r.sports_dates([2, 3, "NBA", "nhl"]),
        lambda x: _eq((x["2"].dates, x["4"].dates), ([], ["2026-02-13T00:30:00+0000"])),
    ),
    Case(
        "event_dates",
        lambda r: r.event_dates(dt.date(2026, 2, 12), sport_ids=4),
        lambda x: _eq(x["4"], ["2026-02-12"]),
    ),
    Case(
        "schedule",
        lambda r: r.schedule(4, limit=10, from_date="2026-02-01", sort="asc"),
        lambda x: _eq(
            (x.schedules[0].event_id, x.schedules[0].season_year, x.schedules[0].league_name),
            (EVENT, 2026, "NBA"),
        ),
    ),
    Case(
        "teams",
        lambda r: r.teams("NBA"),
        lambda x: _eq((x.teams[0].mascot, x.teams[0].ranking), ("Lakers", None)),
    ),
    Case(
        "conferences", lambda r: r.conferences(4), lambda x: _eq(x.conferences[0].name, "Eastern Conference")
    ),
    Case(
        "divisions",
        lambda r: r.divisions(4),
        lambda x: _eq((x.divisions[0].name, x.divisions[0].conference_id), ("Atlantic", 1)),
    ),
    Case(
        "team",
        lambda r: r.team(153),
        lambda x: _eq((x.teams[0].team_id, x.teams[0].abbreviation), (153, "BOS")),
    ),
    Case(
        "team_players",
        lambda r: r.team_players(145),
        lambda x: _eq(
            (x.players[0].display_name, x.players[0].jersey, x.players[0].active),
            ("LeBron James", "23", True),
        ),
    ),
    Case(
        "team_stats",
        lambda r: r.team_stats(145, stats_ids=[1], year=2026, season_type=2),
        lambda x: _eq((x[0].value, x[0].rank_display_value), (117.2, "1st")),
    ),
    Case(
        "team_players_stats",
        lambda r: r.team_players_stats(145, stats_ids=1, player_ids=[1001]),
        lambda x: _eq((x[0].player.id, x[0].stats[0].display_value), (1001, "25.1")),
    ),
    Case("player", lambda r: r.player(1001), lambda x: _eq(x.players[0].team_id, 145)),
    Case(
        "events",
        lambda r: r.events(
            "NBA",
            "2026-01-15",
            market_ids=["moneyline", "spread", "totals"],
            affiliate_ids=["DraftKings", "FanDuel"],
            main_line=True,
        ),
        _check_events,
    ),
    Case("event", lambda r: r.event(EVENT, market_ids=1), _check_event),
    Case("openers", lambda r: r.openers(4, "2026-02-12", market_ids=[1], offset=300), _check_lines),
    Case("event_openers", lambda r: r.event_openers(EVENT, market_ids=[1, 2, 3]), _check_lines),
    Case(
        "closing",
        lambda r: r.closing(4, "2026-02-12", market_ids=[1], exclude_status="postponed"),
        _check_closing,
    ),
    Case("event_closing", lambda r: r.event_closing(EVENT, market_ids=[1, 2, 3]), _check_closing),
    Case(
        "futures",
        lambda r: r.futures("golf", limit=50, market_ids=["tournament_winner"]),
        lambda x: _eq(
            (
                x.meta.has_more,
                x.meta.next_cursor,
                x.events[0].settle_by,
                x.events[0].schedule.event_name,
                x.events[0].markets[0].market_id,
            ),
            (False, None, "2026-04-12T23:00:00Z", "Masters Tournament", 1141),
        ),
    ),
    Case(
        "futures_event",
        lambda r: r.futures_event(40, FUTURE),
        lambda x: _eq(
            (
                x.events[0].settlement["1141"].winning_participant_id,
                x.events[0].progress["entries"][0]["participant_id"],
            ),
            (501, 501),
        ),
    ),
    Case(
        "best_line",
        lambda r: r.best_line(EVENT, period="period_full_game"),
        lambda x: _eq(
            (x.moneyline.moneyline_home, x.moneyline.best_affiliate_away.affiliate_name, x.total.total_over),
            (-105, "FanDuel", 224.5),
        ),
    ),
    Case(
        "plays",
        lambda r: r.plays(EVENT, limit=100),
        lambda x: _eq((x.plays[0].sequence, x.plays[0]["clock"]), (101, "12:00")),
    ),
    Case(
        "event_stats",
        lambda r: r.event_stats(EVENT, stats_ids=[1]),
        lambda x: _eq((x[0].meta.complete, x[0].stats[0].value), (True, "107")),
    ),
    Case(
        "event_player_stats",
        lambda r: r.event_player_stats(EVENT, player_ids=[1001]),
        lambda x: _eq((x[0].player.display_name, x[0].meta.complete), ("LeBron James", False)),
    ),
    Case(
        "sport_markets",
        lambda r: r.sport_markets(4, "2026-02-12", hide_closed_markets=True),
        lambda x: _eq(
            (x["4"][0].id, x["4"][0].proposition, x["4"][0].line_value_is_participant), (29, True, False)
        ),
    ),
    Case(
        "markets_by_date", lambda r: r.markets_by_date("2026-02-12"), lambda x: _eq(x["4"][0].name, "points")
    ),
    Case(
        "event_markets",
        lambda r: r.event_markets(EVENT),
        lambda x: _eq((x[0].id, x[0].short_description), (1, "Moneyline")),
    ),
    Case(
        "market_participants",
        lambda r: r.market_participants(EVENT, market_ids=1),
        lambda x: _eq(
            (x.participants[0].name, x.participants[0].type_, x.participants[0].team_id),
            ("Atlanta Hawks", ParticipantType.TEAM, 11),
        ),
    ),
    Case(
        "market_history",
        lambda r: r.market_history(
            EVENT,
            market_ids=1,
            affiliate_ids="DraftKings",
            from_=dt.datetime(2026, 2, 10, tzinfo=dt.UTC),
            limit=1000,
        ),
        _check_history,
    ),
    Case(
        "market_chart",
        lambda r: r.market_chart(EVENT, "totals", participant_id=1001, affiliate_ids=[19], main_line=True),
        lambda x: _eq(
            [(pt.t, pt.p) for pt in x.series["19"].data],
            [("2026-02-10T14:00:00Z", "-110"), ("2026-02-11T09:30:00Z", "-112")],
        ),
    ),
    Case(
        "opening_prices",
        lambda r: r.opening_prices(EVENT, market_ids=1),
        lambda x: _eq(
            (
                x.markets["1"].lines["45001:"].participant_name,
                x.markets["1"].lines["45001:"].prices["19"].price,
            ),
            ("Atlanta Hawks", "-105"),
        ),
    ),
    Case("price_history", lambda r: r.price_history([192868821]), _check_history),
    Case(
        "market_delta",
        lambda r: r.market_delta(193499000, sport_id=4, market_ids=[1, 2, 3, 41, 42, 43]),
        lambda x: _eq(
            (
                x.meta.delta_last_id,
                x.meta.has_more,
                x.deltas[0].price,
                x.deltas[0].previous_price,
                x.deltas[0].participant_id,
            ),
            ("193500000", False, "-112", "-110", 11),
        ),
    ),
    Case(
        "event_delta",
        lambda r: r.event_delta(sport_id=4),
        lambda x: _eq(
            (x.meta.delta_last_id, json.loads(x.deltas[0].data)["event_id"]),
            ("a1b2c3d4-e5f6-7890-abcd-ef1234567890", EVENT),
        ),
    ),
]


def _eq(actual: Any, expected: Any) -> None:
    assert actual == expected


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.name, marks=pytest.mark.vcr(f"{c.name}.yaml")) for c in CASES]
)
def test_endpoint_success(case: Case, rundown: TheRundown) -> None:
    _validate_cassette(case.name)
    result = case.call(rundown)
    case.check(result)
    usage = rundown.last_usage
    assert usage is not None and usage.datapoints == int(USAGE_HEADERS["X-Datapoints"])
    assert usage.tier == "ultra" and usage.is_real_time and usage.remaining == 18797


FAILURES = [
    ("sports_quota", lambda r: r.sports(), RateLimitError),
    ("sportsbooks_server_error", lambda r: r.sportsbooks(), ServerError),
    ("affiliates_quota", lambda r: r.affiliates(), RateLimitError),
    ("season_types_unauthorized", lambda r: r.season_types(), AuthenticationError),
    ("markets_unauthorized", lambda r: r.markets(), AuthenticationError),
    ("stats_unauthorized", lambda r: r.stats(stat_id=1), AuthenticationError),
    ("stats_sample_unauthorized", lambda r: r.stats_sample(), AuthenticationError),
    ("dates_unauthorized", lambda r: r.dates(4), AuthenticationError),
    ("sports_dates_unauthorized", lambda r: r.sports_dates(4), AuthenticationError),
    ("event_dates_bad_request", lambda r: r.event_dates("2026-02-12", sport_ids=999), BadRequestError),
    ("schedule_unauthorized", lambda r: r.schedule(4), AuthenticationError),
    ("teams_unauthorized", lambda r: r.teams(4), AuthenticationError),
    ("conferences_unauthorized", lambda r: r.conferences(4), AuthenticationError),
    ("divisions_unauthorized", lambda r: r.divisions(4), AuthenticationError),
    ("team_not_found", lambda r: r.team(999999), NotFoundError),
    ("team_players_not_found", lambda r: r.team_players(999999), NotFoundError),
    ("team_stats_bad_request", lambda r: r.team_stats(145, stats_ids=9999), BadRequestError),
    ("team_players_stats_bad_request", lambda r: r.team_players_stats(145, player_ids=0), BadRequestError),
    ("player_not_found", lambda r: r.player(999999), NotFoundError),
    ("events_server_error", lambda r: r.events(4, "2026-01-15"), ServerError),
    ("event_not_found", lambda r: r.event(MISSING), NotFoundError),
    ("openers_unauthorized", lambda r: r.openers(4, "2026-02-12"), AuthenticationError),
    ("event_openers_not_found", lambda r: r.event_openers(MISSING), NotFoundError),
    ("closing_unauthorized", lambda r: r.closing(4, "2026-02-12"), AuthenticationError),
    ("event_closing_not_found", lambda r: r.event_closing(MISSING), NotFoundError),
    ("futures_forbidden", lambda r: r.futures(40), PermissionDeniedError),
    ("futures_event_not_found", lambda r: r.futures_event(40, MISSING), NotFoundError),
    ("best_line_not_found", lambda r: r.best_line(MISSING), NotFoundError),
    ("plays_forbidden", lambda r: r.plays(EVENT), PermissionDeniedError),
    ("event_stats_forbidden", lambda r: r.event_stats(EVENT), PermissionDeniedError),
    ("event_player_stats_forbidden", lambda r: r.event_player_stats(EVENT), PermissionDeniedError),
    ("sport_markets_unauthorized", lambda r: r.sport_markets(4, "2026-02-12"), AuthenticationError),
    ("markets_by_date_unauthorized", lambda r: r.markets_by_date("2026-02-12"), AuthenticationError),
    ("event_markets_not_found", lambda r: r.event_markets(MISSING), NotFoundError),
    ("market_participants_bad_request", lambda r: r.market_participants(MISSING), BadRequestError),
    ("market_history_not_found", lambda r: r.market_history(MISSING), NotFoundError),
    ("market_chart_not_found", lambda r: r.market_chart(MISSING, 3), NotFoundError),
    ("opening_prices_not_found", lambda r: r.opening_prices(MISSING), NotFoundError),
    ("price_history_bad_request", lambda r: r.price_history(1), BadRequestError),
    ("market_delta_stale", lambda r: r.market_delta(1), BadRequestError),
    ("event_delta_bad_request", lambda r: r.event_delta(), BadRequestError),
]


@pytest.mark.parametrize(
    ("name", "call", "error"),
    [pytest.param(n, c, e, id=n, marks=pytest.mark.vcr(f"{n}.yaml")) for n, c, e in FAILURES],
)
def test_endpoint_documented_failure(
    name: str, call: Callable[[TheRundown], Any], error: type[Exception], rundown: TheRundown
) -> None:
    interactions = _validate_cassette(name)
    expected_message = json.loads(interactions[0]["response"]["body"]["string"])["error"]
    with pytest.raises(error) as caught:
        call(rundown)
    err = caught.value
    assert isinstance(err, TheRundownError)
    assert err.status_code == interactions[0]["response"]["status"]["code"]
    assert err.message == expected_message
    assert api_key() not in str(err) and api_key() not in repr(err)
    if isinstance(err, RateLimitError):
        # quota exhausted: surfaced at once (one recorded interaction, so a retry would have failed the replay)
        assert err.kind in (RateLimitKind.DAILY_QUOTA, RateLimitKind.MONTHLY_QUOTA)
        assert err.retry_after == 3600


def test_every_operation_has_a_success_and_a_failure_cassette() -> None:
    from tests.support.spec_validation import load_spec

    operations = [op for item in load_spec("therundown")["paths"].values() for op in item.values()]
    names = {c.name for c in CASES}
    failures = {n for n, _, _ in FAILURES}
    assert len(CASES) == len(operations) == len(FAILURES)
    for name in names | failures:
        assert (CASSETTE_DIR / f"{name}.yaml").exists(), name
    assert {Path(p).stem for p in CASSETTE_DIR.glob("*.yaml")} == names | failures


def test_cassettes_hold_no_key() -> None:
    for path in CASSETTE_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert api_key() not in text, path.name


@pytest.mark.vcr("events.yaml")
async def test_async_twin_replays_the_same_cassette() -> None:
    async with AsyncTheRundown(api_key(), requests_per_second=1000, max_retries=0) as client:
        result = await client.events(
            "NBA", "2026-01-15", market_ids=[1, 2, 3], affiliate_ids=[19, 23], main_line=True
        )
    _check_events(result)
    assert client.usage.datapoints == 3 and client.usage.requests == 1


@pytest.mark.vcr("events.yaml")
def test_off_board_marker_never_becomes_a_price(rundown: TheRundown) -> None:
    rows = to_rows(
        rundown.events(4, "2026-01-15", market_ids=[1, 2, 3], affiliate_ids=[19, 23], main_line=True)
    )
    assert all(row["price"] is not OFF_BOARD for row in rows)
    assert [row["price"] for row in rows if row["participant_name"] == "Boston Celtics"] == [-180.0, -110.0]
