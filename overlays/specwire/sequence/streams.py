"""Sequence WebSocket streams: the ``/v1/stream`` event bus and the two market-lifecycle streams.

Built on :class:`specwire.streaming.websocket.ReconnectingWebSocket`, which owns reconnecting (backoff with
full jitter), keepalive and state changes. This module adds what is Sequence-specific:

* the bus: ``{"subscribe": [...]}`` is sent on *every* connect, so channels survive reconnects;
  ``subscribe()``/``unsubscribe()`` change the set while streaming; envelopes
  ``{"channel", "data"}`` become :class:`StreamMessage` ``(channel, data)`` tuples (as the documented API
  yields) with the typed payload on ``.message``; acks, error frames, non-JSON text and JSON arrays never
  break the iterator (arrays are searched for envelopes);
* lifecycle streams: the server replays its last ~128 events on every connect, so after a reconnect the
  events missed during the gap arrive again — together with ones already delivered. Those are dropped by
  event key, so a reconnect neither loses (within the replay window) nor repeats an event;
* deterministic close: the socket is closed (2 s close timeout) when the loop breaks out of
  ``async for``, on cancellation or Ctrl+C, on ``aclose()`` or on leaving ``async with``.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, NamedTuple, Self, TypeVar

import msgspec

from specwire.core.errors import StreamParseError
from specwire.streaming.backoff import Backoff
from specwire.streaming.runner import StreamHandle
from specwire.streaming.state import StateChange

from .errors import family
from .models import (
    BookSnapshot,
    FillEvent,
    FundingUpdate,
    MarketResolvedEvent,
    NewMarketEvent,
    OrderEvent,
    PriceUpdate,
    Record,
    RoutingDecision,
    TcaEvent,
)
from .transport import ws_url

__all__ = [
    "LifecycleStream",
    "SequenceStreams",
    "StreamMessage",
    "StreamOptions",
    "SequenceStream",
    "payload_type",
]

logger = logging.getLogger("specwire.sequence.streams")

CLOSE_TIMEOUT = 2.0
_DECODER = msgspec.json.Decoder()

_EXACT: dict[str, type[msgspec.Struct]] = {
    "orders": OrderEvent,
    "fills": FillEvent,
    "routing": RoutingDecision,
    "tca": TcaEvent,
}
_PREFIX: tuple[tuple[str, type[msgspec.Struct]], ...] = (
    ("prices:", PriceUpdate),
    ("book:", BookSnapshot),
    ("funding", FundingUpdate),
)


def payload_type(channel: str) -> type[msgspec.Struct] | None:
    """The generated payload model for a channel (``None`` for free-form channels like ``traces:``)."""
    exact = _EXACT.get(channel)
    if exact is not None:
        return exact
    for prefix, model in _PREFIX:
        if channel.startswith(prefix):
            return model
    return None


class StreamMessage(NamedTuple):
    """One bus event: unpacks as ``channel, data`` (``data`` is the JSON object as sent)."""

    channel: str
    data: Any

    @property
    def message(self) -> Any:
        """``data`` decoded into the channel's generated model (``PriceUpdate``, ``FillEvent``, ...);
        free-form channels give ``data`` unchanged."""
        model = payload_type(self.channel)
        if model is None or self.data is None:
            return self.data
        try:
            return msgspec.convert(self.data, model)
        except msgspec.ValidationError as exc:
            raise StreamParseError(f"{self.channel} payload does not match its model: {exc}") from exc


class StreamOptions(NamedTuple):
    """Connection tuning shared by all streams of one client (tests shrink the delays)."""

    backoff: Backoff | None = None
    idle_timeout: float | None = None
    max_reconnects: int | None = None
    open_timeout: float | None = 10.0
    ping_interval: float | None = 20.0


def _decode(frame: str | bytes) -> Any:
    try:
        return _DECODER.decode(frame)
    except msgspec.DecodeError:
        logger.debug("skipping a non-JSON frame (%d chars)", len(frame))
        return None


T = TypeVar("T")
#: handshake headers, or a callable asked on every (re)connect
Headers = Mapping[str, str] | Callable[[], Mapping[str, str]]


class _Stream(Generic[T]):
    """Shared lifecycle: one reconnecting socket, one inner async generator, deterministic close."""

    def __init__(
        self,
        url: str,
        headers: Headers,
        *,
        options: StreamOptions,
        on_state_change: Callable[[StateChange], Any] | None,
        on_connect: Callable[[Any], Any] | None,
    ) -> None:
        # websockets loads with the first stream, not with the package
        from specwire.streaming.websocket import ReconnectingWebSocket

        self.url = url
        self._socket = ReconnectingWebSocket(
            url,
            headers_for=headers if callable(headers) else dict(headers),
            on_connect=on_connect,
            idle_timeout=options.idle_timeout,
            ping_interval=options.ping_interval,
            open_timeout=options.open_timeout,
            close_timeout=CLOSE_TIMEOUT,
            backoff=options.backoff,
            max_reconnects=options.max_reconnects,
            on_state_change=on_state_change,
            error_family=family,
        )
        self._iterator: AsyncGenerator[T, None] | None = None

    @property
    def connected(self) -> bool:
        return self._socket.connected

    @property
    def connections(self) -> int:
        """How many connections were made so far (2 after one reconnect)."""
        return self._socket.connections

    @property
    def closed(self) -> bool:
        return self._socket.closed

    def __aiter__(self) -> AsyncIterator[T]:
        # A fresh generator the stream does not keep: when ``async for`` ends (break) nothing else
        # references it, so the event loop finalises it at once and its ``finally`` closes the socket.
        return self._events()

    async def __anext__(self) -> T:
        """Direct ``await stream.__anext__()`` use (no ``async for``); close with ``aclose()``."""
        if self._iterator is None:
            self._iterator = self._events()
        return await self._iterator.__anext__()

    async def _events(self) -> AsyncGenerator[T, None]:
        try:
            async for frame in self._socket:
                if not isinstance(frame, str | bytes):
                    continue
                for item in self._items(_decode(frame)):
                    yield item
        finally:
            # Runs on break (generator finalised), cancellation, Ctrl+C and errors alike.
            await self._socket.aclose()

    def _items(self, data: Any) -> Iterable[T]:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the socket and end iteration (idempotent)."""
        iterator, self._iterator = self._iterator, None
        await self._socket.aclose()
        if iterator is not None:
            with contextlib.suppress(RuntimeError):
                await iterator.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class SequenceStream(_Stream[StreamMessage]):
    """``/v1/stream``: ``async for channel, data in stream``; see the module docstring."""

    def __init__(
        self,
        url: str,
        headers: Headers,
        channels: Iterable[str],
        *,
        options: StreamOptions = StreamOptions(),
        on_state_change: Callable[[StateChange], Any] | None = None,
    ) -> None:
        self.channels: list[str] = _check_channels(channels)
        #: channels the server refused in its last ack
        self.rejected: set[str] = set()
        super().__init__(
            url, headers, options=options, on_state_change=on_state_change, on_connect=self._on_connect
        )

    async def _on_connect(self, ws: Any) -> None:
        if self.channels:
            await ws.send(json.dumps({"subscribe": list(self.channels)}))

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Add channels now (if connected) and on every later reconnect."""
        new = [c for c in _check_channels(channels) if c not in self.channels]
        self.channels.extend(new)
        if new and self._socket.connected:
            await self._socket.send(json.dumps({"subscribe": new}))

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        """Drop channels now (if connected) and from later reconnects."""
        gone = [c for c in _check_channels(channels) if c in self.channels]
        self.channels = [c for c in self.channels if c not in gone]
        if gone and self._socket.connected:
            await self._socket.send(json.dumps({"unsubscribe": gone}))

    def _items(self, data: Any) -> Iterable[StreamMessage]:
        frames = data if isinstance(data, list) else [data]
        for obj in frames:
            if not isinstance(obj, dict):
                continue
            channel = obj.get("channel")
            if channel is not None:
                yield StreamMessage(str(channel), obj.get("data"))
            elif "subscribed" in obj or "rejected" in obj:
                rejected = obj.get("rejected") or []
                if rejected:
                    self.rejected.update(str(c) for c in rejected)
                    logger.warning("server rejected channels: %s", ", ".join(map(str, rejected)))
            elif "error" in obj:
                logger.warning("stream error frame: %s", obj.get("error"))


def _check_channels(channels: Iterable[str]) -> list[str]:
    if isinstance(channels, str):
        raise ValueError(f"channels must be a list of channel names, got the string {channels!r}")
    out = list(channels)
    for channel in out:
        if not isinstance(channel, str) or not channel.strip():
            raise ValueError(f"channel names must be non-empty strings, got {channel!r}")
    return out


def lifecycle_key(event: Mapping[str, Any]) -> tuple[Any, ...]:
    """Identity of a lifecycle event, for dropping the replay of already-delivered events."""
    market = event.get("condition_id") or event.get("event_id") or event.get("slug") or event.get("symbol")
    if market is None and event.get("observed_at_ns") is None:
        return ("raw", json.dumps(event, sort_keys=True, default=str))
    return (event.get("kind"), event.get("venue"), market, event.get("observed_at_ns"))


class LifecycleStream(_Stream[Record[Any]]):
    """``/v1/ws/new_markets`` or ``/v1/ws/market_resolved``: yields each event as a :class:`Record` (a dict,
    typed model on ``.model``). Replayed events already delivered are dropped (``dedupe_window`` keys)."""

    def __init__(
        self,
        url: str,
        headers: Headers,
        model: type[msgspec.Struct],
        *,
        options: StreamOptions = StreamOptions(),
        on_state_change: Callable[[StateChange], Any] | None = None,
        dedupe_window: int = 4096,
    ) -> None:
        if dedupe_window < 1:
            raise ValueError(f"dedupe_window must be >= 1, got {dedupe_window!r}")
        self.model = model
        self._seen: collections.OrderedDict[tuple[Any, ...], None] = collections.OrderedDict()
        self._window = dedupe_window
        #: replayed events dropped because they were delivered before
        self.duplicates = 0
        super().__init__(url, headers, options=options, on_state_change=on_state_change, on_connect=None)

    def _parse(self, data: Mapping[str, Any]) -> Any:
        try:
            return msgspec.convert(dict(data), self.model)
        except msgspec.ValidationError as exc:
            raise ValueError(str(exc)) from exc

    def _items(self, data: Any) -> Iterable[Record[Any]]:
        frames = data if isinstance(data, list) else [data]
        for obj in frames:
            if not isinstance(obj, dict):
                continue
            key = lifecycle_key(obj)
            if key in self._seen:
                self.duplicates += 1
                self._seen.move_to_end(key)
                continue
            self._seen[key] = None
            if len(self._seen) > self._window:
                self._seen.popitem(last=False)
            yield Record(obj, self._parse)


class SequenceStreams:
    """The stream factories both facades share (they do no I/O until iterated): a subclass
    provides ``base_url``, ``stream_options`` and ``_ws_headers()``."""

    base_url: str
    stream_options: StreamOptions

    def _ws_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def stream(
        self, channels: Iterable[str], *, on_state_change: Callable[[StateChange], Any] | None = None
    ) -> SequenceStream:
        """``async for channel, data in seq.stream(["prices:BTC-USD", "fills"])`` — reconnects and
        re-subscribes by itself; the socket closes on break, cancellation or Ctrl+C."""
        return SequenceStream(
            ws_url(self.base_url, "/v1/stream"),
            self._ws_headers,
            channels,
            options=self.stream_options,
            on_state_change=on_state_change,
        )

    def stream_new_markets(
        self, *, on_state_change: Callable[[StateChange], Any] | None = None
    ) -> LifecycleStream:
        """``async for m in seq.stream_new_markets()`` — every new prediction market (replay ring, deduped)."""
        return LifecycleStream(
            ws_url(self.base_url, "/v1/ws/new_markets"),
            self._ws_headers,
            NewMarketEvent,
            options=self.stream_options,
            on_state_change=on_state_change,
        )

    def stream_resolved_markets(
        self, *, on_state_change: Callable[[StateChange], Any] | None = None
    ) -> LifecycleStream:
        """``async for m in seq.stream_resolved_markets()`` — every market resolution (deduped)."""
        return LifecycleStream(
            ws_url(self.base_url, "/v1/ws/market_resolved"),
            self._ws_headers,
            MarketResolvedEvent,
            options=self.stream_options,
            on_state_change=on_state_change,
        )

    def stream_handle(
        self,
        channels: Iterable[str],
        *,
        on_event: Callable[[StreamMessage], Any] | None = None,
        on_state_change: Callable[[StateChange], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        queue_size: int = 1024,
    ) -> StreamHandle[StreamMessage]:
        """Sync/callback form of :meth:`stream`: ``with seq.stream_handle(chs, on_event=f):`` or
        ``for channel, data in seq.stream_handle(chs):`` — the socket runs on a background loop."""
        wanted = list(channels)
        return StreamHandle(
            lambda on_state: self.stream(wanted, on_state_change=on_state),
            on_event=on_event,
            on_state_change=on_state_change,
            on_error=on_error,
            queue_size=queue_size,
            name="sequence-stream",
        )

    def new_markets_handle(
        self,
        *,
        on_event: Callable[[Record[Any]], Any] | None = None,
        on_state_change: Callable[[StateChange], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
    ) -> StreamHandle[Record[Any]]:
        """Sync/callback form of :meth:`stream_new_markets`."""
        return StreamHandle(
            lambda on_state: self.stream_new_markets(on_state_change=on_state),
            on_event=on_event,
            on_state_change=on_state_change,
            on_error=on_error,
            name="sequence-new-markets",
        )

    def resolved_markets_handle(
        self,
        *,
        on_event: Callable[[Record[Any]], Any] | None = None,
        on_state_change: Callable[[StateChange], Any] | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
    ) -> StreamHandle[Record[Any]]:
        """Sync/callback form of :meth:`stream_resolved_markets`."""
        return StreamHandle(
            lambda on_state: self.stream_resolved_markets(on_state_change=on_state),
            on_event=on_event,
            on_state_change=on_state_change,
            on_error=on_error,
            name="sequence-resolved-markets",
        )
