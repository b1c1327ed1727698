"""``AsyncTheRundown``: the asyncio twin of :class:`~specwire.therundown.client.TheRundown`.

Same methods, same arguments, same validation (shared builders in :mod:`specwire.therundown._calls`), same
returned models; every endpoint method is a coroutine. Delta feeds are async iterators and :meth:`stream` is
the WebSocket market stream with REST catch-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import httpx
from specwire_gen.therundown.client import Client

from specwire.therundown import _calls as c
from specwire.therundown.client import ClientCore, parsed_or_raise
from specwire.therundown.delta import EventDeltaFeed, MarketDeltaFeed
from specwire.therundown.ids import IdLike
from specwire.therundown.params import DateLike, IdsArg
from specwire.therundown.transport import build_async_http_client
from specwire.therundown.usage import Usage

if TYPE_CHECKING:
    from specwire.therundown.models import (
        AffiliatesResponse,
        BestLineResponse,
        ChartResponse,
        ConferencesResponse,
        DatesResponse,
        DivisionsResponse,
        EventDeltaResponse,
        EventPlayerStats,
        EventsResponse,
        EventTeamStats,
        FuturesResponse,
        MarketDefinition,
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
    from specwire.therundown.streams import MarketStream

__all__ = ["AsyncTheRundown"]

Timestamp = dt.datetime | DateLike


class AsyncTheRundown(ClientCore):
    """Asyncio TheRundown v2 client. Use ``async with`` or await :meth:`aclose`.

    ``api_key`` (or ``THERUNDOWN_API_KEY``) is sent in the ``X-TheRundown-Key`` header, or as ``?key=`` with
    ``auth="query"``. ``tier`` (or ``THERUNDOWN_TIER``) sets the client-side requests-per-second limit
    (``free`` 1/s by default); ``requests_per_second`` overrides it. ``transport`` replaces the network
    (``httpx.MockTransport`` in tests). ``usage`` holds running totals, ``last_usage`` the latest headers.
    """

    def __init__(
        self, api_key: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None, **kwargs: Any
    ) -> None:
        super().__init__(api_key, **kwargs)
        self._http = build_async_http_client(self._config, transport, self.usage)
        self._gen = Client(base_url=self.base_url).set_async_httpx_client(self._http)

    # -- plumbing ---------------------------------------------------------------------------------------

    async def _arun(self, call: c.Call[Any]) -> Any:
        return (await self._arun_detailed(call))[0]

    async def _arun_detailed(self, call: c.Call[Any]) -> tuple[Any, Usage]:
        self._check_key(call)
        response = await call.endpoint.asyncio_detailed(client=self._gen, **call.kwargs)
        usage = Usage.from_headers(response.headers, status_code=int(response.status_code))
        return parsed_or_raise(response), usage

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncTheRundown:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- catalog ----------------------------------------------------------------------------------------

    async def sports(self) -> SportsResponse:
        """Every sport (public: works without a key)."""
        return await self._arun(c.sports(locals()))  # type: ignore[no-any-return]

    async def sportsbooks(self, *, include_regions: bool = False) -> AffiliatesResponse:
        """Every sportsbook (``/sportsbooks``, public). Ids change over time: look names up here."""
        return await self._arun(c.sportsbooks(locals()))  # type: ignore[no-any-return]

    async def affiliates(self, *, include_regions: bool = False) -> AffiliatesResponse:
        """Every sportsbook (``/affiliates``, public); same data as :meth:`sportsbooks`."""
        return await self._arun(c.affiliates(locals()))  # type: ignore[no-any-return]

    async def season_types(self) -> SeasonTypesResponse:
        return await self._arun(c.season_types(locals()))  # type: ignore[no-any-return]

    async def markets(self) -> list[MarketDefinition]:
        """The full market catalog (definitions, not prices)."""
        return await self._arun(c.markets(locals()))  # type: ignore[no-any-return]

    async def stats(
        self, *, stat_id: int | None = None, sport_id: IdLike | None = None
    ) -> list[StatDefinition]:
        return await self._arun(c.stats(locals()))  # type: ignore[no-any-return]

    async def stats_sample(self) -> StatsSample:
        """A fixed sample box score (zero data points; for parser tests, not for polling)."""
        return await self._arun(c.stats_sample(locals()))  # type: ignore[no-any-return]

    # -- schedule ---------------------------------------------------------------------------------------

    async def dates(
        self, sport_id: IdLike, *, offset: int | None = None, date_format: str | None = None
    ) -> DatesResponse:
        """Dates with events for one sport (strings like ``2026-02-13T00:30:00+0000``)."""
        return await self._arun(c.dates(locals()))  # type: ignore[no-any-return]

    async def sports_dates(
        self, sport_ids: IdsArg = None, *, offset: int | None = None, date_format: str | None = None
    ) -> SportsDatesResponse:
        """Dates with events for several sports, keyed by sport id."""
        return await self._arun(c.sports_dates(locals()))  # type: ignore[no-any-return]

    async def event_dates(
        self, date: DateLike, *, sport_ids: IdsArg = None, offset: int | None = None
    ) -> SportsEventDatesResponse:
        return await self._arun(c.event_dates(locals()))  # type: ignore[no-any-return]

    async def schedule(
        self,
        sport_id: IdLike,
        *,
        limit: int | None = None,
        season_year: int | None = None,
        season_type_id: int | None = None,
        from_date: DateLike | None = None,
        team_id: int | None = None,
        last_event_uuid: str | None = None,
        sort: str | None = None,
        conference_id: int | None = None,
        division_id: int | None = None,
        include_teams: bool | None = None,
    ) -> ScheduleResponse:
        """Season schedule (v1 endpoint; page with ``last_event_uuid``)."""
        return await self._arun(c.schedule(locals()))  # type: ignore[no-any-return]

    # -- teams ------------------------------------------------------------------------------------------

    async def teams(self, sport_id: IdLike) -> TeamsResponse:
        return await self._arun(c.teams(locals()))  # type: ignore[no-any-return]

    async def conferences(self, sport_id: IdLike) -> ConferencesResponse:
        return await self._arun(c.conferences(locals()))  # type: ignore[no-any-return]

    async def divisions(self, sport_id: IdLike) -> DivisionsResponse:
        return await self._arun(c.divisions(locals()))  # type: ignore[no-any-return]

    async def team(self, team_id: int) -> TeamsResponse:
        return await self._arun(c.team(locals()))  # type: ignore[no-any-return]

    async def team_players(self, team_id: int) -> PlayersResponse:
        return await self._arun(c.team_players(locals()))  # type: ignore[no-any-return]

    async def team_stats(
        self,
        team_id: int,
        *,
        stats_ids: IdsArg = None,
        year: int | None = None,
        season_type: int | str | None = None,
    ) -> list[SeasonStat]:
        return await self._arun(c.team_stats(locals()))  # type: ignore[no-any-return]

    async def team_players_stats(
        self,
        team_id: int,
        *,
        stats_ids: IdsArg = None,
        player_ids: IdsArg = None,
        year: int | None = None,
        season_type: int | str | None = None,
    ) -> list[PlayerStatsEntry]:
        return await self._arun(c.team_players_stats(locals()))  # type: ignore[no-any-return]

    async def player(self, player_id: int) -> PlayersResponse:
        return await self._arun(c.player(locals()))  # type: ignore[no-any-return]

    # -- events -----------------------------------------------------------------------------------------

    async def events(
        self,
        sport_id: IdLike,
        date: DateLike,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        participant_ids: IdsArg = None,
        participant_type: ParticipantType | str | None = None,
        hide_closed: bool | None = None,
        hide_no_markets: bool | None = None,
        event_status: str | Iterable[str] | None = None,
        exclude_status: str | Iterable[str] | None = None,
        all_periods: bool = False,
        offset: int | None = None,
    ) -> EventsResponse:
        """Events with markets and prices for a sport and day (at most 12 markets; ``affiliate_ids=0``
        for scores only). ``meta.delta_last_id`` seeds the delta feed when the key is real-time."""
        return await self._arun(c.events(locals()))  # type: ignore[no-any-return]

    async def event(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        participant_ids: IdsArg = None,
        participant_type: ParticipantType | str | None = None,
        hide_closed: bool | None = None,
        all_periods: bool = False,
    ) -> EventsResponse:
        """One event (by canonical ``event_id``, not ``event_uuid``), in the usual events envelope."""
        return await self._arun(c.event(locals()))  # type: ignore[no-any-return]

    async def openers(
        self,
        sport_id: IdLike,
        date: DateLike,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        hide_closed: bool | None = None,
        event_status: str | Iterable[str] | None = None,
        exclude_status: str | Iterable[str] | None = None,
        all_periods: bool = False,
        offset: int | None = None,
    ) -> EventsResponse:
        """Opening lines: the earliest recorded price of every line at every book."""
        return await self._arun(c.openers(locals()))  # type: ignore[no-any-return]

    async def closing(
        self,
        sport_id: IdLike,
        date: DateLike,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        hide_closed: bool | None = None,
        event_status: str | Iterable[str] | None = None,
        exclude_status: str | Iterable[str] | None = None,
        all_periods: bool = False,
        offset: int | None = None,
    ) -> EventsResponse:
        """Closing lines: the latest price at or before the scheduled start (provisional until then)."""
        return await self._arun(c.closing(locals()))  # type: ignore[no-any-return]

    async def event_openers(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        hide_closed: bool | None = None,
        all_periods: bool = False,
    ) -> EventsResponse:
        return await self._arun(c.event_openers(locals()))  # type: ignore[no-any-return]

    async def event_closing(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        hide_closed: bool | None = None,
        all_periods: bool = False,
    ) -> EventsResponse:
        return await self._arun(c.event_closing(locals()))  # type: ignore[no-any-return]

    async def futures(
        self,
        sport_id: IdLike,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        include_settled: bool | None = None,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        offset: int | None = None,
    ) -> FuturesResponse:
        """Futures / outrights (Ultra plan or higher). Page with ``cursor=meta.next_cursor``."""
        return await self._arun(c.futures(locals()))  # type: ignore[no-any-return]

    async def futures_event(
        self, sport_id: IdLike, event_id: str, *, market_ids: IdsArg = None, affiliate_ids: IdsArg = None
    ) -> FuturesResponse:
        return await self._arun(c.futures_event(locals()))  # type: ignore[no-any-return]

    async def best_line(
        self, event_id: str, *, period: PeriodName | str | None = None, affiliate_ids: IdsArg = None
    ) -> BestLineResponse:
        return await self._arun(c.best_line(locals()))  # type: ignore[no-any-return]

    async def plays(
        self, event_id: str, *, limit: int | None = None, before_sequence: int | None = None
    ) -> PlaysResponse:
        """Play-by-play (Ultra plan or higher)."""
        return await self._arun(c.plays(locals()))  # type: ignore[no-any-return]

    async def event_stats(
        self, event_id: str, *, stats_ids: IdsArg = None, team_id: int | None = None
    ) -> list[EventTeamStats]:
        return await self._arun(c.event_stats(locals()))  # type: ignore[no-any-return]

    async def event_player_stats(
        self, event_id: str, *, stats_ids: IdsArg = None, player_ids: IdsArg = None
    ) -> list[EventPlayerStats]:
        return await self._arun(c.event_player_stats(locals()))  # type: ignore[no-any-return]

    # -- markets ----------------------------------------------------------------------------------------

    async def sport_markets(
        self,
        sport_id: IdLike,
        date: DateLike,
        *,
        hide_closed_markets: bool = False,
        offset: int | None = None,
    ) -> MarketsBySport:
        """Definitions of the markets priced for a sport on a day, keyed by sport id."""
        return await self._arun(c.sport_markets(locals()))  # type: ignore[no-any-return]

    async def markets_by_date(
        self, date: DateLike, *, hide_closed_markets: bool = False, offset: int | None = None
    ) -> MarketsBySport:
        return await self._arun(c.markets_by_date(locals()))  # type: ignore[no-any-return]

    async def event_markets(
        self,
        event_id: str,
        *,
        participant_ids: IdsArg = None,
        participant_type: ParticipantType | str | None = None,
    ) -> list[MarketDefinition]:
        return await self._arun(c.event_markets(locals()))  # type: ignore[no-any-return]

    async def market_participants(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        participant_ids: IdsArg = None,
        participant_type: ParticipantType | str | None = None,
    ) -> MarketParticipantsResponse:
        return await self._arun(c.market_participants(locals()))  # type: ignore[no-any-return]

    async def market_history(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        limit: int | None = None,
        main_line: bool | None = None,
    ) -> MarketHistoryResponse:
        """Every recorded price change of an event (string prices; see :mod:`~specwire.therundown.history`)."""
        return await self._arun(c.market_history(locals()))  # type: ignore[no-any-return]

    async def market_chart(
        self,
        event_id: str,
        market_id: IdLike,
        *,
        participant_id: int | None = None,
        affiliate_ids: IdsArg = None,
        line: str | None = None,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        limit: int | None = None,
        main_line: bool | None = None,
    ) -> ChartResponse:
        return await self._arun(c.market_chart(locals()))  # type: ignore[no-any-return]

    async def opening_prices(
        self, event_id: str, *, market_ids: IdsArg = None, affiliate_ids: IdsArg = None
    ) -> OpeningPricesResponse:
        return await self._arun(c.opening_prices(locals()))  # type: ignore[no-any-return]

    async def price_history(
        self,
        market_line_price_ids: IdsArg,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        limit: int | None = None,
        main_line: bool | None = None,
    ) -> MarketHistoryResponse:
        return await self._arun(c.price_history(locals()))  # type: ignore[no-any-return]

    # -- delta ------------------------------------------------------------------------------------------

    async def market_delta(
        self,
        last_id: int | str,
        *,
        sport_id: IdLike | None = None,
        affiliate_ids: IdsArg = None,
        market_ids: IdsArg = None,
        event_id: str | None = None,
        limit: int | None = None,
    ) -> MarketDeltaResponse:
        """One page of ``/markets/delta``; :meth:`market_deltas` follows the cursor for you."""
        return await self._arun(c.market_delta(locals()))  # type: ignore[no-any-return]

    async def event_delta(
        self, last_id: str = c.ZERO_UUID, *, sport_id: IdLike | None = None, affiliate_ids: IdsArg = None
    ) -> EventDeltaResponse:
        """One page of ``/delta`` (each ``data`` is a JSON string; :meth:`event_deltas` parses it)."""
        return await self._arun(c.event_delta(locals()))  # type: ignore[no-any-return]

    def market_deltas(
        self,
        sport_id: IdLike,
        date: DateLike | None = None,
        *,
        market_ids: IdsArg = c.DELTA_DEFAULT_MARKETS,
        affiliate_ids: IdsArg = None,
        event_id: str | None = None,
        last_id: int | str | None = None,
        limit: int | None = None,
        poll_interval: float = 2.0,
        offset: int | None = None,
    ) -> MarketDeltaFeed:
        """Iterator over price changes: bootstraps its cursor from an events snapshot (unless ``last_id``),
        follows ``delta_last_id``, loops on ``has_more``, and re-bootstraps once on a stale cursor."""
        return MarketDeltaFeed(self, **_feed_args(locals()))

    def event_deltas(
        self,
        *,
        sport_id: IdLike | None = None,
        affiliate_ids: IdsArg = None,
        last_id: str = c.ZERO_UUID,
        poll_interval: float = 2.0,
    ) -> EventDeltaFeed:
        """Iterator over whole changed events (already parsed from their JSON strings)."""
        return EventDeltaFeed(self, **_feed_args(locals()))

    # -- stream -----------------------------------------------------------------------------------------

    def stream(
        self,
        *,
        sport_ids: IdsArg = None,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        event_ids: str | Iterable[str] | None = None,
        catch_up: bool = True,
        cursor: int | str | None = None,
        key_in: Literal["query", "header"] = "query",
        **options: Any,
    ) -> MarketStream:
        """The WebSocket market stream: ``async for update in rundown.stream(sport_ids=["NBA"])``.

        Yields :class:`~specwire_gen.therundown.stream_models.MarketPrice` updates (and a
        :class:`~specwire.therundown.streams.StreamResync` if a gap could not be filled). After every reconnect
        it first emits the changes missed meanwhile, from the delta feed (``catch_up``; needs ``cursor=`` or
        exactly one sport). ``options`` go to :class:`~specwire.therundown.streams.MarketStream`
        (``on_state_change``, ``on_error``, ``heartbeat_interval``, ``idle_heartbeats``, ``backoff``, ...).
        """
        from specwire.therundown.streams import MarketStream

        return MarketStream(
            self,
            sport_ids=sport_ids,
            market_ids=market_ids,
            affiliate_ids=affiliate_ids,
            event_ids=event_ids,
            catch_up=catch_up,
            cursor=cursor,
            key_in=key_in,
            **options,
        )


def _feed_args(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k != "self"}
