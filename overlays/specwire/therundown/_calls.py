"""One builder per endpoint: checks the facade's arguments and names the generated function to call.

The sync and async facades share these, so both validate identically and differ only in how they
send. A builder takes the facade method's arguments as a dict (the method's ``locals()``), so the
public signatures stay the documented ones.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Generic, TypeVar

import attrs
from specwire_gen.therundown.types import UNSET

from specwire.core.errors import ConfigurationError
from specwire.therundown import _gen
from specwire.therundown import params as p
from specwire.therundown.ids import market_id

T = TypeVar("T")

#: Default markets for delta polling: the docs say the feed filters literally, so the live variants of
#: moneyline/spread/total (41/42/43) must be named to keep prices flowing once games start.
DELTA_DEFAULT_MARKETS = (1, 2, 3, 41, 42, 43)


@attrs.frozen
class Call(Generic[T]):
    """A validated request: the generated endpoint module, its keyword arguments, whether it needs a key."""

    endpoint: ModuleType
    kwargs: dict[str, Any]
    public: bool = False


def _flag(value: bool, member: Any) -> Any:
    return member if value else UNSET


def _period(value: _gen.PeriodName | str | None) -> Any:
    if value is None:
        return UNSET
    try:
        member = _gen.PeriodName(str(getattr(value, "value", value)))
    except ValueError:
        member = None
    if member is None or getattr(member, "is_unknown", False):
        raise ConfigurationError(f"period must be one of {[m.value for m in _gen.PeriodName]}, got {value!r}")
    return member


def _fmt(value: str | None) -> Any:
    if value is None:
        return UNSET
    if value not in ("iso8601", "epoch"):
        raise ConfigurationError(f"date_format must be 'iso8601' or 'epoch', got {value!r}")
    return _gen.DateFormat(value)


def _int(value: int | None, what: str) -> Any:
    return p.bounded_int(value, what, 0, 2**62)


# -- catalog ---------------------------------------------------------------------------------------------


def sports(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_sports, {}, public=True)


def sportsbooks(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sportsbooks,
        {"include": _flag(a["include_regions"], _gen.IncludeRegions.REGIONS)},
        public=True,
    )


def affiliates(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_affiliates,
        {"include": _flag(a["include_regions"], _gen.IncludeRegions.REGIONS)},
        public=True,
    )


def season_types(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_season_types, {})


def markets(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_markets, {})


def stats(a: dict[str, Any]) -> Call[Any]:
    sport = a["sport_id"]
    return Call(
        _gen.get_stats,
        {"id": _int(a["stat_id"], "stat_id"), "sport_id": UNSET if sport is None else p.sport(sport)},
    )


def stats_sample(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_stats_sample, {})


# -- schedule --------------------------------------------------------------------------------------------


def dates(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sport_dates,
        {
            "sport_id": p.sport(a["sport_id"]),
            "offset": p.offset(a["offset"]),
            "format_": _fmt(a["date_format"]),
        },
    )


def sports_dates(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sports_dates,
        {
            "sport_ids": p.ids(a["sport_ids"], "sport"),
            "offset": p.offset(a["offset"]),
            "format_": _fmt(a["date_format"]),
        },
    )


def event_dates(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sports_event_dates,
        {
            "date": p.day(a["date"]),
            "sport_ids": p.ids(a["sport_ids"], "sport"),
            "offset": p.offset(a["offset"]),
        },
    )


def schedule(a: dict[str, Any]) -> Call[Any]:
    sort = a["sort"]
    if sort is not None and sort not in ("asc", "desc"):
        raise ConfigurationError(f"sort must be 'asc' or 'desc', got {sort!r}")
    return Call(
        _gen.get_schedule,
        {
            "sport_id": p.sport(a["sport_id"]),
            "limit": p.bounded_int(a["limit"], "limit", 1, 500),
            "season_year": _int(a["season_year"], "season_year"),
            "season_type_id": _int(a["season_type_id"], "season_type_id"),
            "from_": UNSET if a["from_date"] is None else p.day(a["from_date"], "from_date"),
            "team_id": _int(a["team_id"], "team_id"),
            "last_event_uuid": p.unset(a["last_event_uuid"]),
            "sort": UNSET if sort is None else _gen.SortOrder(sort),
            "conference_id": _int(a["conference_id"], "conference_id"),
            "division_id": _int(a["division_id"], "division_id"),
            "include_teams": p.boolean(a["include_teams"], "include_teams"),
        },
    )


# -- teams -----------------------------------------------------------------------------------------------


def teams(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_sport_teams, {"sport_id": p.sport(a["sport_id"])})


def conferences(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_conferences, {"sport_id": p.sport(a["sport_id"])})


def divisions(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_divisions, {"sport_id": p.sport(a["sport_id"])})


def _team(a: dict[str, Any]) -> int:
    value = _int(a["team_id"], "team_id")
    if value is UNSET:
        raise ConfigurationError("team_id is required")
    return int(value)


def team(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_team, {"team_id": _team(a)})


def team_players(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_team_players, {"team_id": _team(a)})


def _season(a: dict[str, Any]) -> dict[str, Any]:
    season_type = a["season_type"]
    if season_type is not None and (isinstance(season_type, bool) or not isinstance(season_type, int | str)):
        raise ConfigurationError(f"season_type must be an id such as 2, got {season_type!r}")
    return {
        "stats_ids": p.ids(a["stats_ids"], "stat", 12),
        "year": p.bounded_int(a["year"], "year", 1800, 3000),
        "season_type": UNSET if season_type is None else str(season_type),
    }


def team_stats(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_team_stats, {"team_id": _team(a), **_season(a)})


def team_players_stats(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_team_players_stats,
        {"team_id": _team(a), "player_ids": p.ids(a["player_ids"], "player"), **_season(a)},
    )


def player(a: dict[str, Any]) -> Call[Any]:
    value = _int(a["player_id"], "player_id")
    return Call(_gen.get_player, {"player_id": value})


# -- events ----------------------------------------------------------------------------------------------


def _snapshot_filters(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "market_ids": p.markets(a["market_ids"]),
        "affiliate_ids": p.affiliates(a["affiliate_ids"]),
        "main_line": p.boolean(a["main_line"], "main_line"),
        "hide_closed": p.boolean(a["hide_closed"], "hide_closed"),
        "include": _flag(a["all_periods"], _gen.IncludePeriods.ALL_PERIODS),
    }


def events(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sport_events,
        {
            "sport_id": p.sport(a["sport_id"]),
            "date": p.day(a["date"]),
            "offset": p.offset(a["offset"]),
            "participant_ids": p.participants(a["participant_ids"]),
            "participant_type": p.participant_type(a["participant_type"]),
            "hide_no_markets": p.boolean(a["hide_no_markets"], "hide_no_markets"),
            "event_status": p.statuses(a["event_status"], "event_status"),
            "exclude_status": p.statuses(a["exclude_status"], "exclude_status"),
            **_snapshot_filters(a),
        },
    )


def event(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event,
        {
            "event_id": p.event_id(a["event_id"]),
            "participant_ids": p.participants(a["participant_ids"]),
            "participant_type": p.participant_type(a["participant_type"]),
            **_snapshot_filters(a),
        },
    )


def _sport_day_lines(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "sport_id": p.sport(a["sport_id"]),
        "date": p.day(a["date"]),
        "offset": p.offset(a["offset"]),
        "event_status": p.statuses(a["event_status"], "event_status"),
        "exclude_status": p.statuses(a["exclude_status"], "exclude_status"),
        **_snapshot_filters(a),
    }


def openers(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_sport_openers, _sport_day_lines(a))


def closing(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_sport_closing, _sport_day_lines(a))


def event_openers(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_event_openers, {"event_id": p.event_id(a["event_id"]), **_snapshot_filters(a)})


def event_closing(a: dict[str, Any]) -> Call[Any]:
    return Call(_gen.get_event_closing, {"event_id": p.event_id(a["event_id"]), **_snapshot_filters(a)})


def futures(a: dict[str, Any]) -> Call[Any]:
    settled = a["include_settled"]
    if settled is not None and not isinstance(settled, bool):
        raise ConfigurationError(f"include_settled must be True, False or None, got {settled!r}")
    return Call(
        _gen.get_futures,
        {
            "sport_id": p.sport(a["sport_id"]),
            "from_": p.timestamp(a["from_"], "from_"),
            "to": p.timestamp(a["to"], "to"),
            "offset": p.offset(a["offset"]),
            "limit": p.bounded_int(a["limit"], "limit", 1, 200),
            "cursor": p.unset(a["cursor"]),
            "include_settled": p.unset(settled),
            "market_ids": p.markets(a["market_ids"]),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
        },
    )


def futures_event(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_futures_event,
        {
            "sport_id": p.sport(a["sport_id"]),
            "event_id": p.event_id(a["event_id"]),
            "market_ids": p.markets(a["market_ids"]),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
        },
    )


def best_line(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_best_line,
        {
            "event_id": p.event_id(a["event_id"]),
            "period": _period(a["period"]),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
        },
    )


def plays(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_plays,
        {
            "event_id": p.event_id(a["event_id"]),
            "limit": p.bounded_int(a["limit"], "limit", 1, 500),
            "before_sequence": _int(a["before_sequence"], "before_sequence"),
        },
    )


def event_stats(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_stats,
        {
            "event_id": p.event_id(a["event_id"]),
            "stats_ids": p.ids(a["stats_ids"], "stat", 12),
            "team_id": _int(a["team_id"], "team_id"),
        },
    )


def event_player_stats(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_players_stats,
        {
            "event_id": p.event_id(a["event_id"]),
            "stats_ids": p.ids(a["stats_ids"], "stat", 12),
            "player_ids": p.ids(a["player_ids"], "player", 6),
        },
    )


# -- markets ---------------------------------------------------------------------------------------------


def sport_markets(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sport_markets,
        {
            "sport_id": p.sport(a["sport_id"]),
            "date": p.day(a["date"]),
            "hide_closed_markets": _flag(a["hide_closed_markets"], _gen.OneFlag.ON),
            "offset": p.offset(a["offset"]),
        },
    )


def markets_by_date(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_sports_markets,
        {
            "date": p.day(a["date"]),
            "hide_closed_markets": _flag(a["hide_closed_markets"], _gen.OneFlag.ON),
            "offset": p.offset(a["offset"]),
        },
    )


def event_markets(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_markets,
        {
            "event_id": p.event_id(a["event_id"]),
            "participant_ids": p.participants(a["participant_ids"]),
            "participant_type": p.participant_type(a["participant_type"]),
        },
    )


def market_participants(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_market_participants,
        {
            "event_id": p.event_id(a["event_id"]),
            "market_ids": p.markets(a["market_ids"]),
            "participant_ids": p.participants(a["participant_ids"]),
            "participant_type": p.participant_type(a["participant_type"]),
        },
    )


def _history_window(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "from_": p.timestamp(a["from_"], "from_"),
        "to": p.timestamp(a["to"], "to"),
        "limit": p.bounded_int(a["limit"], "limit", 1, 5000),
        "main_line": p.boolean(a["main_line"], "main_line"),
    }


def market_history(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_market_history,
        {
            "event_id": p.event_id(a["event_id"]),
            "market_ids": p.markets(a["market_ids"]),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
            **_history_window(a),
        },
    )


def market_chart(a: dict[str, Any]) -> Call[Any]:
    line = a["line"]
    if line is not None and not isinstance(line, str | int | float):
        raise ConfigurationError(f"line must be a line value such as '224.5', got {line!r}")
    return Call(
        _gen.get_event_market_chart,
        {
            "event_id": p.event_id(a["event_id"]),
            "market_id": market_id(a["market_id"]),
            "participant_id": _int(a["participant_id"], "participant_id"),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
            "line": UNSET if line is None else str(line),
            **_history_window(a),
        },
    )


def opening_prices(a: dict[str, Any]) -> Call[Any]:
    return Call(
        _gen.get_event_opening_prices,
        {
            "event_id": p.event_id(a["event_id"]),
            "market_ids": p.markets(a["market_ids"]),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
        },
    )


def price_history(a: dict[str, Any]) -> Call[Any]:
    ids = p.ids(a["market_line_price_ids"], "market_line_price", 50)
    if ids is UNSET:
        raise ConfigurationError("market_line_price_ids is required (1 to 50 ids)")
    return Call(_gen.get_market_history, {"market_line_price_ids": ids, **_history_window(a)})


# -- delta -----------------------------------------------------------------------------------------------


def market_delta(a: dict[str, Any]) -> Call[Any]:
    last_id = a["last_id"]
    try:
        cursor = int(last_id)
    except (TypeError, ValueError):
        cursor = 0
    if isinstance(last_id, bool) or cursor < 1:
        raise ConfigurationError(
            f"last_id must be a positive integer cursor from meta.delta_last_id (never 0), got {last_id!r}"
        )
    sport = a["sport_id"]
    event_id = a["event_id"]
    return Call(
        _gen.get_market_delta,
        {
            "last_id": cursor,
            "sport_id": UNSET if sport is None else p.sport(sport),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
            "market_ids": p.markets(a["market_ids"]),
            "event_id": UNSET if event_id is None else p.event_id(event_id),
            "limit": p.bounded_int(a["limit"], "limit", 1, 5000),
        },
    )


def event_delta(a: dict[str, Any]) -> Call[Any]:
    last_id = a["last_id"]
    if not isinstance(last_id, str) or len(last_id) != 36:
        raise ConfigurationError(
            f"last_id must be a 36-character UUID cursor (start with {ZERO_UUID!r}), got {last_id!r}"
        )
    sport = a["sport_id"]
    return Call(
        _gen.get_event_delta,
        {
            "last_id": last_id,
            "sport_id": UNSET if sport is None else p.sport(sport),
            "affiliate_ids": p.affiliates(a["affiliate_ids"]),
        },
    )


ZERO_UUID = "00000000-0000-0000-0000-000000000000"
