"""TheRundown's market WebSocket, made gap-free by catching up through the REST delta feed.

The socket (``/api/v2/ws/markets``) is server-to-client only, filtered at connect time, with a heartbeat
every 15 s and **no replay**: anything sent while we were away, or dropped because we fell behind, is gone
from the socket. So :class:`MarketStream`:

* holds a ``/markets/delta`` cursor (bootstrapped from an events snapshot, or given as ``cursor=``);
* on every reconnect (the core WebSocket yields a :class:`~specwire.streaming.websocket.Reconnected`
  marker before any new frame) polls the delta feed from that cursor and emits the missed price changes,
  converted to the same :class:`MarketPrice` model and **before** any live update of the new connection;
* refreshes the cursor every ``cursor_refresh`` seconds while connected (cursors go stale after 30 min),
  emitting anything the server dropped from the socket meanwhile;
* de-duplicates by price identity (event, market, participant, line, book, price, time), so a change seen
  live and again in the delta feed is emitted once;
* reconnects from 1 s doubling to 30 s plus 0–1 s jitter, and treats ``idle_heartbeats`` missed
  heartbeats (no frame at all) as a dead connection.

If the cursor was too old to catch up (the server says re-bootstrap), a :class:`StreamResync` carrying the
fresh snapshot is emitted instead of the lost changes, so consumers rebuild their state from it.
Catch-up failures (REST down, quota) are reported to ``on_error`` (or logged) and retried at the next
heartbeat; they never end the stream.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

import attrs
import msgspec
from specwire_gen.therundown.stream_models import MarketPriceMessage
from specwire_gen.therundown.types import Unset

from specwire.core.errors import ConfigurationError, StreamParseError
from specwire.core.redact import SecretFilter
from specwire.streaming.backoff import Backoff
from specwire.streaming.state import StateChange
from specwire.therundown import _calls as c
from specwire.therundown import params as p
from specwire.therundown.auth import KEY_HEADER, KEY_PARAM
from specwire.therundown.delta import MarketDeltaFeed
from specwire.therundown.errors import family
from specwire.therundown.ids import csv_ids
from specwire.therundown.models import EventsResponse, HeartbeatMessage, MarketDeltaEntry, MarketPrice
from specwire.therundown.odds import is_off_board

if TYPE_CHECKING:
    from specwire.streaming.websocket import ReconnectingWebSocket
    from specwire.therundown.async_client import AsyncTheRundown
    from specwire.therundown.client import TheRundown

__all__ = ["HEARTBEAT_INTERVAL", "MarketStream", "StreamResync", "SeedBackoff", "decode_frame", "sync_stream"]

logger = logging.getLogger("specwire.therundown.streams")
for _name in ("websockets", "websockets.client"):
    logging.getLogger(_name).addFilter(SecretFilter())

#: Seconds between server heartbeats (docs).
HEARTBEAT_INTERVAL = 15.0
#: Participant type names of the REST feed → the WebSocket's numbers (inferred mapping, see the spec).
_PARTICIPANT_TYPE_NUMBERS = {"TYPE_TEAM": 1, "TYPE_PLAYER": 2, "TYPE_RESULT": 3}


@attrs.frozen
class StreamResync:
    """The missed changes could not be fetched (stale cursor); ``snapshot`` is the current state instead."""

    snapshot: EventsResponse
    reason: str = "delta cursor was stale; re-bootstrapped from a fresh snapshot"


@attrs.define
class SeedBackoff(Backoff):
    """The documented reconnect schedule: 1 s doubling to 30 s, plus 0–1 s of random jitter.

    (The core :class:`Backoff` uses full jitter, which can reconnect almost at once; TheRundown's docs ask
    for at least the base delay.)
    """

    def next_delay(self, floor: float = 0.0) -> float:
        ceiling = self.peek_ceiling()
        self.attempts += 1
        delay = min(self.maximum, ceiling + (self.rand() if self.jitter else 0.0))
        return max(delay, min(floor, self.maximum) if floor else 0.0)


_price_decoder = msgspec.json.Decoder(MarketPriceMessage)
_heartbeat_decoder = msgspec.json.Decoder(HeartbeatMessage)


class _AnyMeta(msgspec.Struct):
    type: str = ""


class _AnyEnvelope(msgspec.Struct):
    meta: _AnyMeta


_envelope_decoder = msgspec.json.Decoder(_AnyEnvelope)


def decode_frame(frame: str | bytes) -> MarketPrice | HeartbeatMessage | None:
    """One text frame → a :class:`MarketPrice`, a heartbeat, or ``None`` for a message type we do not know.

    Price updates decode in one pass straight from bytes; only the rare other frames pay for a second try.
    Raises :class:`~specwire.core.errors.StreamParseError` for frames that are not a TheRundown envelope.
    """
    try:
        return _price_decoder.decode(frame).data
    except msgspec.DecodeError:
        pass
    try:
        return _heartbeat_decoder.decode(frame)
    except msgspec.DecodeError:
        pass
    try:
        envelope = _envelope_decoder.decode(frame)
    except msgspec.DecodeError as exc:
        raise StreamParseError(f"not a TheRundown stream frame ({exc}): {str(frame)[:120]!r}") from exc
    if envelope.meta.type == "market_price":
        try:
            _price_decoder.decode(frame)
        except msgspec.DecodeError as exc:
            raise StreamParseError(f"malformed market_price frame ({exc}): {str(frame)[:120]!r}") from exc
    logger.debug("ignoring stream message of unknown type %r", envelope.meta.type)
    return None


def _price_number(value: Any) -> float | str:
    if value is None or isinstance(value, Unset | msgspec.UnsetType):
        return ""
    if is_off_board(value):
        return "OFF_BOARD"
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def price_key(price: MarketPrice) -> tuple[Any, ...]:
    """Identity of one price change, equal for the live message and its delta-feed copy."""
    participant = price.normalized_market_participant_id
    line = price.line
    return (
        price.event_id,
        price.market_id,
        None if isinstance(participant, msgspec.UnsetType) else participant,
        "" if isinstance(line, msgspec.UnsetType) else line,
        price.affiliate_id,
        _price_number(price.price),
        None if isinstance(price.updated_at, msgspec.UnsetType) else _instant(price.updated_at),
    )


def _instant(value: Any) -> Any:
    """A timestamp as an aware UTC datetime, so ``Z``, ``+00:00`` and ``+0000`` spellings of the
    same instant (the feeds use all three) compare equal; anything unparseable stays as sent."""
    if not isinstance(value, str):
        return value
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def _opt(value: Any) -> Any:
    return msgspec.UNSET if value is None or isinstance(value, Unset) else value


def delta_to_price(entry: MarketDeltaEntry) -> MarketPrice:
    """A ``/markets/delta`` row in the WebSocket's shape, so consumers handle one type."""
    ptype = entry.participant_type
    ptype_name = None if isinstance(ptype, Unset) else str(getattr(ptype, "value", ptype))
    closed = entry.closed_at
    return MarketPrice(
        event_id=str(_opt(entry.event_id) or ""),
        affiliate_id=int(_opt(entry.affiliate_id) or 0),
        market_id=int(_opt(entry.market_id) or 0),
        price=_opt(entry.price) if not isinstance(entry.price, Unset) else "",
        id=_opt(entry.id),
        sport_id=_opt(entry.sport_id),
        normalized_market_participant_id=_opt(entry.participant_id),
        normalized_market_participant_type=_PARTICIPANT_TYPE_NUMBERS.get(ptype_name or "", msgspec.UNSET),
        line=_opt(entry.line),
        previous_price=None if entry.previous_price is None else _opt(entry.previous_price),
        is_main_line=_opt(entry.is_main_line),
        updated_at=_opt(entry.updated_at),
        closed_at=None if closed is None else _opt(closed),
    )


class _Seen:
    """Bounded memory of recent price identities (oldest forgotten first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._keys: collections.OrderedDict[tuple[Any, ...], None] = collections.OrderedDict()

    def add(self, key: tuple[Any, ...]) -> bool:
        """Remember ``key``; False if it was already there (a duplicate)."""
        if key in self._keys:
            return False
        self._keys[key] = None
        if len(self._keys) > self.size:
            self._keys.popitem(last=False)
        return True


StreamItem = MarketPrice | StreamResync


class MarketStream:
    """Async iterator of :class:`MarketPrice` updates (and :class:`StreamResync` markers). See module docs."""

    def __init__(
        self,
        client: AsyncTheRundown | TheRundown,
        *,
        sport_ids: p.IdsArg = None,
        market_ids: p.IdsArg = None,
        affiliate_ids: p.IdsArg = None,
        event_ids: str | Iterable[str] | None = None,
        main_line: bool | None = None,
        key_in: Literal["query", "header"] = "query",
        catch_up: bool = True,
        cursor: int | str | None = None,
        date: p.DateLike | None = None,
        cursor_refresh: float = 600.0,
        heartbeat_interval: float = HEARTBEAT_INTERVAL,
        idle_heartbeats: float = 2.0,
        backoff: Backoff | None = None,
        max_reconnects: int | None = None,
        dedupe_size: int = 50_000,
        include_heartbeats: bool = False,
        on_state_change: Callable[[StateChange], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        ws_url: str | None = None,
    ) -> None:
        if key_in not in ("query", "header"):
            raise ConfigurationError(f"key_in must be 'query' or 'header', got {key_in!r}")
        for what, seconds in (("cursor_refresh", cursor_refresh), ("heartbeat_interval", heartbeat_interval)):
            if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
                raise ConfigurationError(f"{what} must be a positive number of seconds, got {seconds!r}")
        if cursor_refresh >= 1800:
            raise ConfigurationError(
                f"cursor_refresh must be under 30 minutes (cursors expire), got {cursor_refresh!r}"
            )
        if not client.has_key:
            raise ConfigurationError(
                "the market stream needs an API key: pass api_key= or set THERUNDOWN_API_KEY"
            )
        self._client = client
        self._query: dict[str, str] = {}
        sports_csv = csv_ids(sport_ids, kind="sport")
        markets_csv = p.markets(market_ids) if market_ids is not None else None
        books_csv = p.affiliates(affiliate_ids) if affiliate_ids is not None else None
        events = [event_ids] if isinstance(event_ids, str) else list(event_ids or [])
        events = [p.event_id(e) for e in events]
        filters: tuple[tuple[str, object], ...] = (
            ("sport_ids", sports_csv),
            ("market_ids", markets_csv),
            ("affiliate_ids", books_csv),
        )
        for name, value in filters:
            if isinstance(value, str):
                self._query[name] = value
        if events:
            self._query["event_ids"] = ",".join(events)
        if main_line is not None:
            self._query["main_line"] = "true" if p.boolean(main_line, "main_line") else "false"
        self._sports = [int(s) for s in sports_csv.split(",")] if isinstance(sports_csv, str) else []
        self._markets = {int(m) for m in markets_csv.split(",")} if isinstance(markets_csv, str) else set()
        self._books = {int(b) for b in books_csv.split(",")} if isinstance(books_csv, str) else set()
        self._events = set(events)
        self.key_in = key_in
        self.catch_up = catch_up
        self.cursor_refresh = float(cursor_refresh)
        self.idle_timeout = float(heartbeat_interval) * float(idle_heartbeats)
        self.include_heartbeats = include_heartbeats
        self.on_state_change = on_state_change
        self.on_error = on_error
        self._ws_url = ws_url or client.ws_url
        self._backoff = (
            backoff if backoff is not None else SeedBackoff(initial=1.0, maximum=30.0, rand=random.random)
        )
        self._max_reconnects = max_reconnects
        self._seen = _Seen(dedupe_size)
        self._feed: MarketDeltaFeed | None = None
        if catch_up:
            if cursor is None and len(self._sports) != 1:
                raise ConfigurationError(
                    "catch-up needs a delta cursor: pass cursor=, or exactly one sport in sport_ids= to bootstrap "
                    "it from that sport's events snapshot, or catch_up=False"
                )
            self._feed = MarketDeltaFeed(
                client,
                sport_id=self._sports[0] if len(self._sports) == 1 else None,
                date=date,
                market_ids=sorted(self._markets) if self._markets else c.DELTA_DEFAULT_MARKETS,
                affiliate_ids=sorted(self._books) if self._books else None,
                event_id=events[0] if len(events) == 1 else None,
                last_id=cursor,
            )
        self._ws: ReconnectingWebSocket | None = None
        self._last_poll = 0.0
        self._catch_up_due = False
        self.caught_up = 0  # price changes emitted from the delta feed
        self.duplicates = 0

    # -- connection -------------------------------------------------------------------------------

    @property
    def cursor(self) -> str | None:
        return self._feed.cursor if self._feed is not None else None

    def url(self) -> str:
        query = dict(self._query)
        if self.key_in == "query":
            key = self._client.ws_key()
            assert key is not None
            query = {KEY_PARAM: key, **query}
        return f"{self._ws_url}?{urlencode(query, safe=',')}" if query else self._ws_url

    def _headers(self) -> dict[str, str] | None:
        if self.key_in != "header":
            return None
        key = self._client.ws_key()
        return {KEY_HEADER: key} if key else None

    def _socket(self) -> ReconnectingWebSocket:
        # websockets loads with the first stream, not with the package
        from specwire.streaming.websocket import ReconnectingWebSocket

        return ReconnectingWebSocket(
            self.url,
            headers_for=self._headers,
            idle_timeout=self.idle_timeout,
            compression=None,
            backoff=self._backoff,
            max_reconnects=self._max_reconnects,
            on_state_change=self.on_state_change,
            yield_markers=True,
            error_family=family,
        )

    async def aclose(self) -> None:
        if self._ws is not None:
            await self._ws.aclose()

    async def __aenter__(self) -> MarketStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- catch-up ---------------------------------------------------------------------------------

    def _report(self, exc: BaseException) -> None:
        if self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:
                logger.exception("on_error callback raised; ignored")
        else:
            logger.warning("TheRundown stream: %s", exc)

    def _wanted(self, price: MarketPrice) -> bool:
        if (
            self._sports
            and not isinstance(price.sport_id, msgspec.UnsetType)
            and price.sport_id not in self._sports
        ):
            return False
        if self._markets and price.market_id not in self._markets:
            return False
        if self._books and price.affiliate_id not in self._books:
            return False
        return not (self._events and price.event_id not in self._events)

    async def _catch_up(self) -> list[StreamItem]:
        """Missed changes since the cursor, de-duplicated, in feed order (empty if catch-up is off)."""
        feed = self._feed
        if feed is None:
            return []
        self._last_poll = time.monotonic()
        rebootstraps = feed.rebootstraps
        try:
            entries = await feed.apoll()
        except Exception as exc:  # REST trouble must not kill the live stream
            self._catch_up_due = True
            self._report(exc)
            return []
        self._catch_up_due = False
        out: list[StreamItem] = []
        if feed.rebootstraps > rebootstraps and feed.snapshot is not None:
            out.append(StreamResync(feed.snapshot))
        for entry in entries:
            price = delta_to_price(entry)
            if not self._wanted(price):
                continue
            if self._seen.add(price_key(price)):
                out.append(price)
                self.caught_up += 1
            else:
                self.duplicates += 1
        return out

    async def _bootstrap(self) -> None:
        feed = self._feed
        if feed is None or feed.cursor is not None:
            self._last_poll = time.monotonic()
            return
        snapshot, usage = await self._client._arun_detailed(c.events(feed._snapshot_args()))
        feed._adopt_snapshot(snapshot, usage)
        self._last_poll = time.monotonic()

    def _refresh_due(self) -> bool:
        if self._feed is None:
            return False
        elapsed = time.monotonic() - self._last_poll
        return elapsed >= self.cursor_refresh or (self._catch_up_due and elapsed >= 1.0)

    # -- iteration --------------------------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[StreamItem | HeartbeatMessage]:
        from specwire.streaming.websocket import Reconnected

        await self._bootstrap()
        self._ws = ws = self._socket()
        try:
            await ws.connect()
            # Changes between the cursor (snapshot or caller's) and this connection are not on the socket.
            for item in await self._catch_up():
                yield item
            async for frame in ws:
                if isinstance(frame, Reconnected):
                    for item in await self._catch_up():
                        yield item
                    continue
                try:
                    message = decode_frame(frame)
                except StreamParseError as exc:
                    self._report(exc)
                    continue
                if isinstance(message, MarketPrice):
                    if self._seen.add(price_key(message)):
                        yield message
                    else:
                        self.duplicates += 1
                elif isinstance(message, HeartbeatMessage) and self.include_heartbeats:
                    yield message
                if self._refresh_due():
                    for item in await self._catch_up():
                        yield item
        finally:
            await ws.aclose()


def sync_stream(
    client: TheRundown,
    *,
    on_event: Callable[[Any], Any] | None = None,
    on_state_change: Callable[[StateChange], Any] | None = None,
    on_error: Callable[[BaseException], Any] | None = None,
    queue_size: int = 1024,
    **kwargs: Any,
) -> Any:
    """The stream for sync code: a :class:`~specwire.streaming.runner.StreamHandle` (callbacks or ``for``)."""
    from specwire.streaming.runner import StreamHandle

    def open_stream(on_state: Callable[[StateChange], Any]) -> AsyncIterator[Any]:
        stream = MarketStream(client, on_state_change=on_state, on_error=on_error, **kwargs)
        return stream.__aiter__()

    # Validate the arguments now, in the caller's thread, rather than on the loop.
    MarketStream(client, **kwargs)
    return StreamHandle(
        open_stream,
        on_event=on_event,
        on_state_change=on_state_change,
        on_error=on_error,
        queue_size=queue_size,
        name="therundown-markets",
    )
