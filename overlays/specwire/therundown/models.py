"""The typed models and enums the TheRundown facades return and accept, under their public names.

Why re-exports: the facades return the generated types unchanged, so there is one definition of each and
``make generate`` keeps them in step with the spec. REST models are the attrs classes generated from
``specs/therundown/openapi.yaml`` (snake_case attributes, ``from_dict``/``to_dict``, unknown fields kept in
``additional_properties``, unknown enum values kept as ``UNDOCUMENTED``); the market stream's messages are the
msgspec Structs generated from ``asyncapi.yaml``. Types specwire builds itself live with the code that makes
them: :class:`~specwire.therundown.streams.StreamResync`, :class:`~specwire.therundown.flatten.PriceRow`,
:class:`~specwire.therundown.usage.Usage`.

Each name loads on first use (``import specwire.therundown`` does not import them all).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports

if TYPE_CHECKING:
    from specwire_gen.therundown.models import (
        AffiliatesResponse,
        BestLineResponse,
        ChartResponse,
        ConferencesResponse,
        DatesResponse,
        DivisionsResponse,
        Event,
        EventDeltaResponse,
        EventPlayerStats,
        EventsResponse,
        EventTeamStats,
        FuturesResponse,
        MarketDefinition,
        MarketDeltaEntry,
        MarketDeltaResponse,
        MarketHistoryResponse,
        MarketParticipantsResponse,
        MarketsBySport,
        OpeningPricesResponse,
        ParticipantType,
        PeriodName,
        PlayersResponse,
        PlayerStatsEntry,
        PlaysResponse,
        ScheduleResponse,
        SeasonStat,
        SeasonTypesResponse,
        SportsDatesResponse,
        SportsEventDatesResponse,
        SportsResponse,
        StatDefinition,
        StatsSample,
        TeamsResponse,
    )
    from specwire_gen.therundown.stream_models import HeartbeatMessage, MarketPrice

__all__ = [
    "AffiliatesResponse",
    "BestLineResponse",
    "ChartResponse",
    "ConferencesResponse",
    "DatesResponse",
    "DivisionsResponse",
    "Event",
    "EventDeltaResponse",
    "EventPlayerStats",
    "EventTeamStats",
    "EventsResponse",
    "FuturesResponse",
    "HeartbeatMessage",
    "MarketDefinition",
    "MarketDeltaEntry",
    "MarketDeltaResponse",
    "MarketHistoryResponse",
    "MarketParticipantsResponse",
    "MarketPrice",
    "MarketsBySport",
    "OpeningPricesResponse",
    "ParticipantType",
    "PeriodName",
    "PlayerStatsEntry",
    "PlayersResponse",
    "PlaysResponse",
    "ScheduleResponse",
    "SeasonStat",
    "SeasonTypesResponse",
    "SportsDatesResponse",
    "SportsEventDatesResponse",
    "SportsResponse",
    "StatDefinition",
    "StatsSample",
    "TeamsResponse",
]

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.therundown.models": (
                "AffiliatesResponse",
                "BestLineResponse",
                "ChartResponse",
                "ConferencesResponse",
                "DatesResponse",
                "DivisionsResponse",
                "Event",
                "EventDeltaResponse",
                "EventPlayerStats",
                "EventsResponse",
                "EventTeamStats",
                "FuturesResponse",
                "MarketDefinition",
                "MarketDeltaEntry",
                "MarketDeltaResponse",
                "MarketHistoryResponse",
                "MarketParticipantsResponse",
                "MarketsBySport",
                "OpeningPricesResponse",
                "ParticipantType",
                "PeriodName",
                "PlayersResponse",
                "PlayerStatsEntry",
                "PlaysResponse",
                "ScheduleResponse",
                "SeasonStat",
                "SeasonTypesResponse",
                "SportsDatesResponse",
                "SportsEventDatesResponse",
                "SportsResponse",
                "StatDefinition",
                "StatsSample",
                "TeamsResponse",
            ),
            "specwire_gen.therundown.stream_models": (
                "HeartbeatMessage",
                "MarketPrice",
            ),
        },
    )
