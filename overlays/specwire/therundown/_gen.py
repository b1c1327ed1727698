"""The generated operation modules and models :mod:`._calls` uses, each loaded on first use.

``import specwire.therundown`` must not import every generated endpoint: callers write
``_gen.<name>`` and :func:`specwire.core.lazy.lazy_exports` imports the module the
first time a name is used. Type checkers read the ``TYPE_CHECKING`` imports below, which
must list the same names as the table (``tests/unit/core/test_core_lazy.py`` checks).
"""

# ruff: noqa: F401

from __future__ import annotations

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports

if TYPE_CHECKING:
    from specwire_gen.therundown.api.catalog import (
        get_affiliates,
        get_markets,
        get_season_types,
        get_sports,
        get_sportsbooks,
        get_stats,
        get_stats_sample,
    )
    from specwire_gen.therundown.api.delta import get_event_delta, get_market_delta
    from specwire_gen.therundown.api.events import (
        get_event,
        get_event_best_line,
        get_event_closing,
        get_event_openers,
        get_event_players_stats,
        get_event_plays,
        get_event_stats,
        get_futures,
        get_futures_event,
        get_sport_closing,
        get_sport_events,
        get_sport_openers,
    )
    from specwire_gen.therundown.api.markets import (
        get_event_market_chart,
        get_event_market_history,
        get_event_markets,
        get_event_opening_prices,
        get_market_history,
        get_market_participants,
        get_sport_markets,
        get_sports_markets,
    )
    from specwire_gen.therundown.api.schedule import (
        get_schedule,
        get_sport_dates,
        get_sports_dates,
        get_sports_event_dates,
    )
    from specwire_gen.therundown.api.teams import (
        get_conferences,
        get_divisions,
        get_player,
        get_sport_teams,
        get_team,
        get_team_players,
        get_team_players_stats,
        get_team_stats,
    )
    from specwire_gen.therundown.models.date_format import DateFormat
    from specwire_gen.therundown.models.include_periods import IncludePeriods
    from specwire_gen.therundown.models.include_regions import IncludeRegions
    from specwire_gen.therundown.models.one_flag import OneFlag
    from specwire_gen.therundown.models.period_name import PeriodName
    from specwire_gen.therundown.models.sort_order import SortOrder

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.therundown.api.catalog": (
                "get_affiliates",
                "get_markets",
                "get_season_types",
                "get_sports",
                "get_sportsbooks",
                "get_stats",
                "get_stats_sample",
            ),
            "specwire_gen.therundown.api.delta": (
                "get_event_delta",
                "get_market_delta",
            ),
            "specwire_gen.therundown.api.events": (
                "get_event",
                "get_event_best_line",
                "get_event_closing",
                "get_event_openers",
                "get_event_players_stats",
                "get_event_plays",
                "get_event_stats",
                "get_futures",
                "get_futures_event",
                "get_sport_closing",
                "get_sport_events",
                "get_sport_openers",
            ),
            "specwire_gen.therundown.api.markets": (
                "get_event_market_chart",
                "get_event_market_history",
                "get_event_markets",
                "get_event_opening_prices",
                "get_market_history",
                "get_market_participants",
                "get_sport_markets",
                "get_sports_markets",
            ),
            "specwire_gen.therundown.api.schedule": (
                "get_schedule",
                "get_sport_dates",
                "get_sports_dates",
                "get_sports_event_dates",
            ),
            "specwire_gen.therundown.api.teams": (
                "get_conferences",
                "get_divisions",
                "get_player",
                "get_sport_teams",
                "get_team",
                "get_team_players",
                "get_team_players_stats",
                "get_team_stats",
            ),
            "specwire_gen.therundown.models.date_format": ("DateFormat",),
            "specwire_gen.therundown.models.include_periods": ("IncludePeriods",),
            "specwire_gen.therundown.models.include_regions": ("IncludeRegions",),
            "specwire_gen.therundown.models.one_flag": ("OneFlag",),
            "specwire_gen.therundown.models.period_name": ("PeriodName",),
            "specwire_gen.therundown.models.sort_order": ("SortOrder",),
        },
    )
