"""``TheRundown``: the synchronous facade, one readable method per v2 endpoint, and what both facades share.

Methods validate their arguments (ids or names, dates, limits) before sending, call the generated client
(:mod:`specwire_gen.therundown`) over the httpx client built in :mod:`specwire.therundown.transport`
(key auth, client-side limiter, burst-429 retries, usage accounting, typed errors), and return the
generated models. :class:`~specwire.therundown.async_client.AsyncTheRundown` is the same surface for asyncio;
both derive from :class:`ClientCore` (key, auth scheme, limiter, usage, HTTP config) and check answers with
:func:`parsed_or_raise`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import httpx
from specwire_gen.therundown.client import Client
from specwire_gen.therundown.models import Error
from specwire_gen.therundown.types import Response

from specwire.core.errors import ConfigurationError
from specwire.core.ratelimit import RateLimiter
from specwire.core.redact import MASK
from specwire.core.retry import RetryPolicy
from specwire.therundown import _calls as c
from specwire.therundown.auth import ENV_KEY, AuthIn, check_auth_in, http_auth, resolve_key
from specwire.therundown.delta import EventDeltaFeed, MarketDeltaFeed
from specwire.therundown.errors import family
from specwire.therundown.ids import IdLike
from specwire.therundown.params import DateLike, IdsArg
from specwire.therundown.transport import (
    DEFAULT_BASE_URL,
    DEFAULT_WS_URL,
    build_http_client,
    http_config,
    tier_rate_limiter,
)
from specwire.therundown.usage import Usage, UsageTracker

if TYPE_CHECKING:
    from specwire.streaming.runner import StreamHandle
    from specwire.streaming.state import StateChange
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

__all__ = ["ClientCore", "TheRundown", "parsed_or_raise"]

Timestamp = dt.datetime | DateLike


def parsed_or_raise(response: Response[Any]) -> Any:
    """The parsed body of a 2xx answer; anything else (undocumented status, error shape) is an error."""
    parsed = response.parsed
    if parsed is None or isinstance(parsed, Error):
        raise family.from_status(
            int(response.status_code),
            f"unexpected response (HTTP {int(response.status_code)}) that the spec does not describe",
            body=response.content,
        )
    return parsed


class ClientCore:
    """Configuration shared by :class:`TheRundown` and :class:`AsyncTheRundown` (not used directly)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth: AuthIn = "header",
        base_url: str = DEFAULT_BASE_URL,
        ws_url: str = DEFAULT_WS_URL,
        tier: str | None = None,
        requests_per_second: float | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        key = resolve_key(api_key)
        self.auth_in: AuthIn = check_auth_in(auth)
        if not isinstance(ws_url, str) or not ws_url.startswith(("wss://", "ws://")):
            raise ConfigurationError(f"ws_url must be a ws(s):// URL, got {ws_url!r}")
        self._key = key
        self.base_url = base_url
        self.ws_url = ws_url
        self.usage = UsageTracker()
        limiter = rate_limiter if rate_limiter is not None else tier_rate_limiter(tier, requests_per_second)
        self._config = http_config(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            auth=http_auth(key, self.auth_in),
            headers=headers,
            rate_limiter=limiter,
            retry_policy=retry_policy,
        )

    @property
    def has_key(self) -> bool:
        return self._key is not None

    @property
    def last_usage(self) -> Usage | None:
        """Usage headers of the most recent response this client received (any thread or task)."""
        return self.usage.last

    def _check_key(self, call: c.Call[Any]) -> None:
        if not call.public and self._key is None:
            raise ConfigurationError(
                f"{call.endpoint.__name__.rsplit('.', 1)[-1]} needs an API key: pass api_key= or set {ENV_KEY}"
            )

    def ws_key(self) -> str | None:
        return self._key.get() if self._key is not None else None

    def __repr__(self) -> str:
        key = f"'{MASK}'" if self._key is not None else "None"
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self.auth_in!r}, api_key={key})"


class TheRundown(ClientCore):
    """Synchronous TheRundown v2 client. Use as a context manager or call :meth:`close`.

    ``api_key`` (or ``THERUNDOWN_API_KEY``) is sent in the ``X-TheRundown-Key`` header, or as ``?key=`` with
    ``auth="query"``. ``tier`` (or ``THERUNDOWN_TIER``) sets the client-side requests-per-second limit
    (``free`` 1/s by default); ``requests_per_second`` overrides it. ``transport`` replaces the network
    (``httpx.MockTransport`` in tests). ``usage`` holds running totals, ``last_usage`` the latest headers.
    """

    def __init__(
        self, api_key: str | None = None, *, transport: httpx.BaseTransport | None = None, **kwargs: Any
    ) -> None:
        super().__init__(api_key, **kwargs)
        self._http = build_http_client(self._config, transport, self.usage)
        self._gen = Client(base_url=self.base_url).set_httpx_client(self._http)

    # -- plumbing ---------------------------------------------------------------------------------------

    def _run(self, call: c.Call[Any]) -> Any:
        return self._run_detailed(call)[0]

    def _run_detailed(self, call: c.Call[Any]) -> tuple[Any, Usage]:
        self._check_key(call)
        response = call.endpoint.sync_detailed(client=self._gen, **call.kwargs)
        usage = Usage.from_headers(response.headers, status_code=int(response.status_code))
        return parsed_or_raise(response), usage

    async def _arun_detailed(self, call: c.Call[Any]) -> tuple[Any, Usage]:
        """For the stream's catch-up on the background loop: the sync call, off the loop thread."""
        return await asyncio.to_thread(self._run_detailed, call)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TheRundown:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- catalog ----------------------------------------------------------------------------------------

    def sports(self) -> SportsResponse:
        """Every sport (public: works without a key)."""
        return self._run(c.sports(locals()))  # type: ignore[no-any-return]

    def sportsbooks(self, *, include_regions: bool = False) -> AffiliatesResponse:
        """Every sportsbook (``/sportsbooks``, public). Ids change over time: look names up here."""
        return self._run(c.sportsbooks(locals()))  # type: ignore[no-any-return]

    def affiliates(self, *, include_regions: bool = False) -> AffiliatesResponse:
        """Every sportsbook (``/affiliates``, public); same data as :meth:`sportsbooks`."""
        return self._run(c.affiliates(locals()))  # type: ignore[no-any-return]

    def season_types(self) -> SeasonTypesResponse:
        return self._run(c.season_types(locals()))  # type: ignore[no-any-return]

    def markets(self) -> list[MarketDefinition]:
        """The full market catalog (definitions, not prices)."""
        return self._run(c.markets(locals()))  # type: ignore[no-any-return]

    def stats(self, *, stat_id: int | None = None, sport_id: IdLike | None = None) -> list[StatDefinition]:
        return self._run(c.stats(locals()))  # type: ignore[no-any-return]

    def stats_sample(self) -> StatsSample:
        """A fixed sample box score (zero data points; for parser tests, not for polling)."""
        return self._run(c.stats_sample(locals()))  # type: ignore[no-any-return]

    # -- schedule ---------------------------------------------------------------------------------------

    def dates(
        self, sport_id: IdLike, *, offset: int | None = None, date_format: str | None = None
    ) -> DatesResponse:
        """Dates with events for one sport (strings like ``2026-02-13T00:30:00+0000``)."""
        return self._run(c.dates(locals()))  # type: ignore[no-any-return]

    def sports_dates(
        self, sport_ids: IdsArg = None, *, offset: int | None = None, date_format: str | None = None
    ) -> SportsDatesResponse:
        """Dates with events for several sports, keyed by sport id."""
        return self._run(c.sports_dates(locals()))  # type: ignore[no-any-return]

    def event_dates(
        self, date: DateLike, *, sport_ids: IdsArg = None, offset: int | None = None
    ) -> SportsEventDatesResponse:
        return self._run(c.event_dates(locals()))  # type: ignore[no-any-return]

    def schedule(
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
        return self._run(c.schedule(locals()))  # type: ignore[no-any-return]

    # -- teams ------------------------------------------------------------------------------------------

    def teams(self, sport_id: IdLike) -> TeamsResponse:
        return self._run(c.teams(locals()))  # type: ignore[no-any-return]

    def conferences(self, sport_id: IdLike) -> ConferencesResponse:
        return self._run(c.conferences(locals()))  # type: ignore[no-any-return]

    def divisions(self, sport_id: IdLike) -> DivisionsResponse:
        return self._run(c.divisions(locals()))  # type: ignore[no-any-return]

    def team(self, team_id: int) -> TeamsResponse:
        return self._run(c.team(locals()))  # type: ignore[no-any-return]

    def team_players(self, team_id: int) -> PlayersResponse:
        return self._run(c.team_players(locals()))  # type: ignore[no-any-return]

    def team_stats(
        self,
        team_id: int,
        *,
        stats_ids: IdsArg = None,
        year: int | None = None,
        season_type: int | str | None = None,
    ) -> list[SeasonStat]:
        return self._run(c.team_stats(locals()))  # type: ignore[no-any-return]

    def team_players_stats(
        self,
        team_id: int,
        *,
        stats_ids: IdsArg = None,
        player_ids: IdsArg = None,
        year: int | None = None,
        season_type: int | str | None = None,
    ) -> list[PlayerStatsEntry]:
        return self._run(c.team_players_stats(locals()))  # type: ignore[no-any-return]

    def player(self, player_id: int) -> PlayersResponse:
        return self._run(c.player(locals()))  # type: ignore[no-any-return]

    # -- events -----------------------------------------------------------------------------------------

    def events(
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
        return self._run(c.events(locals()))  # type: ignore[no-any-return]

    def event(
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
        return self._run(c.event(locals()))  # type: ignore[no-any-return]

    def openers(
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
        return self._run(c.openers(locals()))  # type: ignore[no-any-return]

    def closing(
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
        return self._run(c.closing(locals()))  # type: ignore[no-any-return]

    def event_openers(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        hide_closed: bool | None = None,
        all_periods: bool = False,
    ) -> EventsResponse:
        return self._run(c.event_openers(locals()))  # type: ignore[no-any-return]

    def event_closing(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        affiliate_ids: IdsArg = None,
        main_line: bool | None = None,
        hide_closed: bool | None = None,
        all_periods: bool = False,
    ) -> EventsResponse:
        return self._run(c.event_closing(locals()))  # type: ignore[no-any-return]

    def futures(
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
        return self._run(c.futures(locals()))  # type: ignore[no-any-return]

    def futures_event(
        self, sport_id: IdLike, event_id: str, *, market_ids: IdsArg = None, affiliate_ids: IdsArg = None
    ) -> FuturesResponse:
        return self._run(c.futures_event(locals()))  # type: ignore[no-any-return]

    def best_line(
        self, event_id: str, *, period: PeriodName | str | None = None, affiliate_ids: IdsArg = None
    ) -> BestLineResponse:
        return self._run(c.best_line(locals()))  # type: ignore[no-any-return]

    def plays(
        self, event_id: str, *, limit: int | None = None, before_sequence: int | None = None
    ) -> PlaysResponse:
        """Play-by-play (Ultra plan or higher)."""
        return self._run(c.plays(locals()))  # type: ignore[no-any-return]

    def event_stats(
        self, event_id: str, *, stats_ids: IdsArg = None, team_id: int | None = None
    ) -> list[EventTeamStats]:
        return self._run(c.event_stats(locals()))  # type: ignore[no-any-return]

    def event_player_stats(
        self, event_id: str, *, stats_ids: IdsArg = None, player_ids: IdsArg = None
    ) -> list[EventPlayerStats]:
        return self._run(c.event_player_stats(locals()))  # type: ignore[no-any-return]

    # -- markets ----------------------------------------------------------------------------------------

    def sport_markets(
        self,
        sport_id: IdLike,
        date: DateLike,
        *,
        hide_closed_markets: bool = False,
        offset: int | None = None,
    ) -> MarketsBySport:
        """Definitions of the markets priced for a sport on a day, keyed by sport id."""
        return self._run(c.sport_markets(locals()))  # type: ignore[no-any-return]

    def markets_by_date(
        self, date: DateLike, *, hide_closed_markets: bool = False, offset: int | None = None
    ) -> MarketsBySport:
        return self._run(c.markets_by_date(locals()))  # type: ignore[no-any-return]

    def event_markets(
        self,
        event_id: str,
        *,
        participant_ids: IdsArg = None,
        participant_type: ParticipantType | str | None = None,
    ) -> list[MarketDefinition]:
        return self._run(c.event_markets(locals()))  # type: ignore[no-any-return]

    def market_participants(
        self,
        event_id: str,
        *,
        market_ids: IdsArg = None,
        participant_ids: IdsArg = None,
        participant_type: ParticipantType | str | None = None,
    ) -> MarketParticipantsResponse:
        return self._run(c.market_participants(locals()))  # type: ignore[no-any-return]

    def market_history(
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
        return self._run(c.market_history(locals()))  # type: ignore[no-any-return]

    def market_chart(
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
        return self._run(c.market_chart(locals()))  # type: ignore[no-any-return]

    def opening_prices(
        self, event_id: str, *, market_ids: IdsArg = None, affiliate_ids: IdsArg = None
    ) -> OpeningPricesResponse:
        return self._run(c.opening_prices(locals()))  # type: ignore[no-any-return]

    def price_history(
        self,
        market_line_price_ids: IdsArg,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        limit: int | None = None,
        main_line: bool | None = None,
    ) -> MarketHistoryResponse:
        return self._run(c.price_history(locals()))  # type: ignore[no-any-return]

    # -- delta ------------------------------------------------------------------------------------------

    def market_delta(
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
        return self._run(c.market_delta(locals()))  # type: ignore[no-any-return]

    def event_delta(
        self, last_id: str = c.ZERO_UUID, *, sport_id: IdLike | None = None, affiliate_ids: IdsArg = None
    ) -> EventDeltaResponse:
        """One page of ``/delta`` (each ``data`` is a JSON string; :meth:`event_deltas` parses it)."""
        return self._run(c.event_delta(locals()))  # type: ignore[no-any-return]

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
        on_event: Callable[[Any], Any] | None = None,
        on_state_change: Callable[[StateChange], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        **options: Any,
    ) -> StreamHandle[Any]:
        """Callback/sync form of :meth:`AsyncTheRundown.stream`: a :class:`~specwire.streaming.runner.StreamHandle`.

        Same filters, plus ``on_event``/``on_state_change``/``on_error`` run on a dispatcher thread; call
        ``start()``/``stop()`` (or use ``with``), or iterate it with ``for``. The loop runs on a background
        thread; catch-up REST calls run off that loop.
        """
        from specwire.therundown.streams import sync_stream

        return sync_stream(  # type: ignore[no-any-return]
            self,
            sport_ids=sport_ids,
            market_ids=market_ids,
            affiliate_ids=affiliate_ids,
            event_ids=event_ids,
            catch_up=catch_up,
            cursor=cursor,
            key_in=key_in,
            on_event=on_event,
            on_state_change=on_state_change,
            on_error=on_error,
            **options,
        )


def _feed_args(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if k != "self"}
