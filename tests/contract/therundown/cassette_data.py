"""TheRundown REST interactions, built from the spec's examples (which come from the reference).

Nobody can reach the live API from here, so every cassette in ``tests/cassettes/therundown/`` is written from
these interactions: one success per endpoint (response = the spec's ``example``, with the usage headers the
reference documents) and one documented failure. Regenerate with::

    .venv/bin/python -m tests.contract.therundown.cassette_data

``make record PROVIDER=therundown`` replaces them with live recordings through the same scrubbing hooks;
the key travels in the ``X-TheRundown-Key`` header, which the hooks replace with ``REDACTED``.
"""

from __future__ import annotations

import copy
import os
from typing import Any

from tests.support.cassettes import Interaction, write_all
from tests.support.spec_validation import load_spec

BASE = "https://therundown.io"
#: Used in replay; ``make record`` reads the real key from THERUNDOWN_API_KEY (.env).
PLACEHOLDER_KEY = "rundown-test-key-0123456789abcdef"
EVENT = "09bfa53f8484a63e584398545c035932"
EVENT2 = "816efd1e5767d7133b5bc70c77173a18"
FUTURE = "f00dfeedf00dfeedf00dfeedf00dfeed"
MISSING = "00000000000000000000000000000000"

USAGE_HEADERS = {
    "X-Datapoints": "3",
    "X-Datapoints-Used": "1203",
    "X-Datapoints-Remaining": "18797",
    "X-Datapoints-Limit": "20000",
    "X-Datapoints-Period": "daily",
    "X-Datapoints-Reset": "2026-09-21T00:00:00Z",
    "X-Data-Delay-Seconds": "0",
    "X-Tier": "ultra",
    "X-Websocket-Access": "true",
    "X-Rate-Limit": "10",
}


def api_key() -> str:
    return os.environ.get("THERUNDOWN_API_KEY") or PLACEHOLDER_KEY


def example(path: str, status: str = "200", name: str | None = None) -> Any:
    """The example the spec documents for ``GET path`` -> ``status`` (a named one when several)."""
    spec = load_spec("therundown")
    response = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    media = response["content"]["application/json"]
    if "example" in media:
        return copy.deepcopy(media["example"])
    examples = media["examples"]
    return copy.deepcopy(examples[name or next(iter(examples))]["value"])


def ok(url: str, path: str, body: Any = None) -> list[Interaction]:
    return [
        Interaction(
            "GET",
            BASE + url,
            200,
            response=example(path) if body is None else body,
            response_headers=USAGE_HEADERS,
        )
    ]


def fail(
    url: str, path: str, status: int, name: str | None = None, headers: dict[str, str] | None = None
) -> list[Interaction]:
    return [
        Interaction(
            "GET",
            BASE + url,
            status,
            response=example(path, str(status), name),
            response_headers=headers or {},
        )
    ]


def interactions() -> dict[str, list[Interaction]]:
    s = "/api/v2"
    quota = {"Retry-After": "3600"}
    return {
        # catalog
        "sports": ok(f"{s}/sports", f"{s}/sports"),
        "sports_quota": fail(f"{s}/sports", f"{s}/sports", 429, "daily", quota),
        "sportsbooks": ok(f"{s}/sportsbooks?include=regions", f"{s}/sportsbooks"),
        "sportsbooks_server_error": fail(f"{s}/sportsbooks", f"{s}/sportsbooks", 500),
        "affiliates": ok(f"{s}/affiliates", f"{s}/affiliates"),
        "affiliates_quota": fail(f"{s}/affiliates", f"{s}/affiliates", 429, "monthly", quota),
        "season_types": ok(f"{s}/season_types", f"{s}/season_types"),
        "season_types_unauthorized": fail(f"{s}/season_types", f"{s}/season_types", 401),
        "markets": ok(f"{s}/markets", f"{s}/markets"),
        "markets_unauthorized": fail(f"{s}/markets", f"{s}/markets", 401),
        "stats": ok(f"{s}/stats?sport_id=4", f"{s}/stats"),
        "stats_unauthorized": fail(f"{s}/stats?id=1", f"{s}/stats", 401),
        "stats_sample": ok(f"{s}/stats/sample", f"{s}/stats/sample"),
        "stats_sample_unauthorized": fail(f"{s}/stats/sample", f"{s}/stats/sample", 401),
        # schedule
        "dates": ok(f"{s}/sports/4/dates?offset=300&format=iso8601", f"{s}/sports/{{sportID}}/dates"),
        "dates_unauthorized": fail(f"{s}/sports/4/dates", f"{s}/sports/{{sportID}}/dates", 401),
        "sports_dates": ok(f"{s}/sports/dates?sport_ids=2%2C3%2C4%2C6", f"{s}/sports/dates"),
        "sports_dates_unauthorized": fail(f"{s}/sports/dates?sport_ids=4", f"{s}/sports/dates", 401),
        "event_dates": ok(f"{s}/sports/events/2026-02-12?sport_ids=4", f"{s}/sports/events/{{date}}"),
        "event_dates_bad_request": fail(
            f"{s}/sports/events/2026-02-12?sport_ids=999", f"{s}/sports/events/{{date}}", 400
        ),
        "schedule": ok(
            "/api/v1/sports/4/schedule?limit=10&from=2026-02-01&sort=asc", "/api/v1/sports/{sportID}/schedule"
        ),
        "schedule_unauthorized": fail("/api/v1/sports/4/schedule", "/api/v1/sports/{sportID}/schedule", 401),
        # teams
        "teams": ok(f"{s}/sports/4/teams", f"{s}/sports/{{sportID}}/teams"),
        "teams_unauthorized": fail(f"{s}/sports/4/teams", f"{s}/sports/{{sportID}}/teams", 401),
        "conferences": ok(f"{s}/sports/4/conferences", f"{s}/sports/{{sportID}}/conferences"),
        "conferences_unauthorized": fail(
            f"{s}/sports/4/conferences", f"{s}/sports/{{sportID}}/conferences", 401
        ),
        "divisions": ok(f"{s}/sports/4/divisions", f"{s}/sports/{{sportID}}/divisions"),
        "divisions_unauthorized": fail(f"{s}/sports/4/divisions", f"{s}/sports/{{sportID}}/divisions", 401),
        "team": ok(f"{s}/teams/153/", f"{s}/teams/{{teamID}}/"),
        "team_not_found": fail(f"{s}/teams/999999/", f"{s}/teams/{{teamID}}/", 404),
        "team_players": ok(f"{s}/teams/145/players", f"{s}/teams/{{teamID}}/players"),
        "team_players_not_found": fail(f"{s}/teams/999999/players", f"{s}/teams/{{teamID}}/players", 404),
        "team_stats": ok(
            f"{s}/teams/145/stats?stats_ids=1&year=2026&season_type=2", f"{s}/teams/{{teamID}}/stats"
        ),
        "team_stats_bad_request": fail(
            f"{s}/teams/145/stats?stats_ids=9999", f"{s}/teams/{{teamID}}/stats", 400
        ),
        "team_players_stats": ok(
            f"{s}/teams/145/players/stats?stats_ids=1&player_ids=1001", f"{s}/teams/{{teamID}}/players/stats"
        ),
        "team_players_stats_bad_request": fail(
            f"{s}/teams/145/players/stats?player_ids=0", f"{s}/teams/{{teamID}}/players/stats", 400
        ),
        "player": ok(f"{s}/players/1001", f"{s}/players/{{playerID}}"),
        "player_not_found": fail(f"{s}/players/999999", f"{s}/players/{{playerID}}", 404),
        # events
        "events": ok(
            f"{s}/sports/4/events/2026-01-15?market_ids=1%2C2%2C3&affiliate_ids=19%2C23&main_line=true",
            f"{s}/sports/{{sportID}}/events/{{date}}",
        ),
        "events_server_error": fail(
            f"{s}/sports/4/events/2026-01-15", f"{s}/sports/{{sportID}}/events/{{date}}", 500
        ),
        "event": ok(f"{s}/events/{EVENT}?market_ids=1", f"{s}/events/{{eventID}}"),
        "event_not_found": fail(f"{s}/events/{MISSING}", f"{s}/events/{{eventID}}", 404),
        "openers": ok(
            f"{s}/sports/4/openers/2026-02-12?market_ids=1&offset=300",
            f"{s}/sports/{{sportID}}/openers/{{date}}",
        ),
        "openers_unauthorized": fail(
            f"{s}/sports/4/openers/2026-02-12", f"{s}/sports/{{sportID}}/openers/{{date}}", 401
        ),
        "event_openers": ok(
            f"{s}/events/{EVENT}/openers?market_ids=1%2C2%2C3", f"{s}/events/{{eventID}}/openers"
        ),
        "event_openers_not_found": fail(
            f"{s}/events/{MISSING}/openers", f"{s}/events/{{eventID}}/openers", 404
        ),
        "closing": ok(
            f"{s}/sports/4/closing/2026-02-12?market_ids=1&exclude_status=STATUS_POSTPONED",
            f"{s}/sports/{{sportID}}/closing/{{date}}",
        ),
        "closing_unauthorized": fail(
            f"{s}/sports/4/closing/2026-02-12", f"{s}/sports/{{sportID}}/closing/{{date}}", 401
        ),
        "event_closing": ok(
            f"{s}/events/{EVENT}/closing?market_ids=1%2C2%2C3", f"{s}/events/{{eventID}}/closing"
        ),
        "event_closing_not_found": fail(
            f"{s}/events/{MISSING}/closing", f"{s}/events/{{eventID}}/closing", 404
        ),
        "futures": ok(f"{s}/sports/40/futures?limit=50&market_ids=1141", f"{s}/sports/{{sportID}}/futures"),
        "futures_forbidden": fail(
            f"{s}/sports/40/futures", f"{s}/sports/{{sportID}}/futures", 403, "futures"
        ),
        "futures_event": ok(f"{s}/sports/40/futures/{FUTURE}", f"{s}/sports/{{sportID}}/futures/{{eventID}}"),
        "futures_event_not_found": fail(
            f"{s}/sports/40/futures/{MISSING}", f"{s}/sports/{{sportID}}/futures/{{eventID}}", 404
        ),
        "best_line": ok(
            f"{s}/events/{EVENT}/best-line?period=period_full_game", f"{s}/events/{{eventID}}/best-line"
        ),
        "best_line_not_found": fail(
            f"{s}/events/{MISSING}/best-line", f"{s}/events/{{eventID}}/best-line", 404
        ),
        "plays": ok(f"{s}/events/{EVENT}/plays?limit=100", f"{s}/events/{{eventID}}/plays"),
        "plays_forbidden": fail(f"{s}/events/{EVENT}/plays", f"{s}/events/{{eventID}}/plays", 403, "live"),
        "event_stats": ok(f"{s}/events/{EVENT}/stats?stats_ids=1", f"{s}/events/{{eventID}}/stats"),
        "event_stats_forbidden": fail(
            f"{s}/events/{EVENT}/stats", f"{s}/events/{{eventID}}/stats", 403, "stats"
        ),
        "event_player_stats": ok(
            f"{s}/events/{EVENT}/players/stats?player_ids=1001", f"{s}/events/{{eventID}}/players/stats"
        ),
        "event_player_stats_forbidden": fail(
            f"{s}/events/{EVENT}/players/stats", f"{s}/events/{{eventID}}/players/stats", 403, "stats"
        ),
        # markets
        "sport_markets": ok(
            f"{s}/sports/4/markets/2026-02-12?hide_closed_markets=1",
            f"{s}/sports/{{sportID}}/markets/{{date}}",
        ),
        "sport_markets_unauthorized": fail(
            f"{s}/sports/4/markets/2026-02-12", f"{s}/sports/{{sportID}}/markets/{{date}}", 401
        ),
        "markets_by_date": ok(f"{s}/sports/markets/2026-02-12", f"{s}/sports/markets/{{date}}"),
        "markets_by_date_unauthorized": fail(
            f"{s}/sports/markets/2026-02-12", f"{s}/sports/markets/{{date}}", 401
        ),
        "event_markets": ok(f"{s}/events/{EVENT}/markets", f"{s}/events/{{eventID}}/markets"),
        "event_markets_not_found": fail(
            f"{s}/events/{MISSING}/markets", f"{s}/events/{{eventID}}/markets", 404
        ),
        "market_participants": ok(
            f"{s}/markets/participants?event_id={EVENT}&market_ids=1", f"{s}/markets/participants"
        ),
        "market_participants_bad_request": fail(
            f"{s}/markets/participants?event_id={MISSING}", f"{s}/markets/participants", 400
        ),
        "market_history": ok(
            f"{s}/events/{EVENT}/markets/history?market_ids=1&affiliate_ids=19&from=2026-02-10T00%3A00%3A00Z&limit=1000",
            f"{s}/events/{{eventID}}/markets/history",
        ),
        "market_history_not_found": fail(
            f"{s}/events/{MISSING}/markets/history", f"{s}/events/{{eventID}}/markets/history", 404
        ),
        "market_chart": ok(
            f"{s}/events/{EVENT}/markets/3/history?participant_id=1001&affiliate_ids=19&main_line=true",
            f"{s}/events/{{eventID}}/markets/{{marketID}}/history",
        ),
        "market_chart_not_found": fail(
            f"{s}/events/{MISSING}/markets/3/history",
            f"{s}/events/{{eventID}}/markets/{{marketID}}/history",
            404,
        ),
        "opening_prices": ok(
            f"{s}/events/{EVENT}/markets/opening?market_ids=1", f"{s}/events/{{eventID}}/markets/opening"
        ),
        "opening_prices_not_found": fail(
            f"{s}/events/{MISSING}/markets/opening", f"{s}/events/{{eventID}}/markets/opening", 404
        ),
        "price_history": ok(f"{s}/markets/history?market_line_price_ids=192868821", f"{s}/markets/history"),
        "price_history_bad_request": fail(
            f"{s}/markets/history?market_line_price_ids=1", f"{s}/markets/history", 400
        ),
        # delta
        "market_delta": ok(
            f"{s}/markets/delta?last_id=193499000&sport_id=4&market_ids=1%2C2%2C3%2C41%2C42%2C43",
            f"{s}/markets/delta",
        ),
        "market_delta_stale": fail(f"{s}/markets/delta?last_id=1", f"{s}/markets/delta", 400, "stale"),
        "event_delta": ok(f"{s}/delta?last_id=00000000-0000-0000-0000-000000000000&sport_id=4", f"{s}/delta"),
        "event_delta_bad_request": fail(
            f"{s}/delta?last_id=00000000-0000-0000-0000-000000000000", f"{s}/delta", 400
        ),
    }


if __name__ == "__main__":
    for written in write_all("therundown", interactions()):
        print(written)
