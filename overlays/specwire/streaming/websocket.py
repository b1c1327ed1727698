"""A WebSocket that reconnects by itself and restores its subscriptions, on ``websockets.asyncio``.

Plain-WebSocket providers (Restless' runtime socket, TheRundown's market stream,
Sequence's channels) all need the same loop around ``websockets.connect``; this
module is that loop, written once:

* ``url_for()`` and ``headers_for()`` (sync or async callables) are asked again on
  every connect, so a renewed token or a resume cursor goes into the next
  handshake;
* ``on_connect(ws)`` (async) runs after every (re)connect and *before* any frame is
  yielded — send the subscribe messages there (the raw
  ``websockets.asyncio.client.ClientConnection`` is passed, so the hook may also
  ``await ws.recv()`` an acknowledgement); a connection lost during the hook, or a
  ``TimeoutError`` (an acknowledgement that never came), is retried like any other
  drop; any other exception from the hook is raised;
* reconnect on every drop — a close frame from the server (any code), an abrupt
  TCP reset, a failed keepalive ping, ``idle_timeout`` seconds spent waiting for a
  data frame (the watchdog aborts the socket; a slow consumer is not idleness), a refused or timed-out connect, and handshake
  answers 408/429/5xx — with :class:`~specwire.streaming.backoff.Backoff` delays
  (full jitter) whose attempt counter resets once a frame arrives;
  ``max_reconnects`` caps *consecutive* reconnects without a frame;
* ``is_fatal(exc)`` decides which failures must not be retried; by default a
  handshake answered with any other 4xx (401, 403, 404, ...) is fatal and raised as
  the typed error of :mod:`specwire.core.errors` (or of ``error_family``);
* ``async for frame in rws`` yields raw ``str`` (text) / ``bytes`` (binary) frames
  across reconnects; with ``yield_markers=True`` a :class:`Reconnected` marker is
  yielded after each *re*connect (once ``on_connect`` has run), telling the provider
  "a gap may exist here" so it can run catch-up logic;
* ``send()`` writes on the live connection (subscribe, unsubscribe, pong);
  ``aclose()`` (or leaving ``async with``) closes the socket and ends iteration,
  also when called from another task.

State changes (CONNECTING → CONNECTED → RECONNECTING → ... → DISCONNECTED) go to
``on_state_change`` as :class:`~specwire.streaming.state.StateChange` records.
``max_size`` defaults to 4 MiB (websockets' own default, 1 MiB, is too small for
full order-book snapshots).

Example::

    async def subscribe(ws):
        await ws.send(json.dumps({"op": "subscribe", "channels": sorted(channels)}))

    async with ReconnectingWebSocket(lambda: f"{base}?token={tokens.current()}",
                                     on_connect=subscribe, idle_timeout=30,
                                     yield_markers=True) as rws:
        async for frame in rws:
            if isinstance(frame, Reconnected):
                await catch_up()
                continue
            handle(msgspec.json.decode(frame, type=Message))
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self

import attrs
import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from specwire.core import errors as core_errors
from specwire.core.redact import redact_text
from specwire.core.retry_after import parse_retry_after
from specwire.streaming.backoff import Backoff
from specwire.streaming.state import ConnectionState, StateChange

__all__ = ["DEFAULT_MAX_SIZE", "Reconnected", "ReconnectingWebSocket", "default_is_fatal"]

logger = logging.getLogger("specwire.streaming.websocket")

DEFAULT_MAX_SIZE = 4 * 1024 * 1024
#: Longest wait a handshake's ``Retry-After`` hint can impose (seconds).
MAX_SERVER_DELAY = 600.0
_RETRYABLE_STATUSES = frozenset({408, 429})

Frame = str | bytes
UrlFor = Callable[[], "str | Awaitable[str]"]
HeadersFor = Callable[[], "Mapping[str, str] | Awaitable[Mapping[str, str]] | None"]
OnConnect = Callable[[ClientConnection], Awaitable[Any]]
StateCallback = Callable[[StateChange], Any]


@attrs.frozen
class Reconnected:
    """Yielded (with ``yield_markers=True``) after a reconnect: frames may have been missed before it.

    ``attempt`` is how many consecutive attempts it took, ``reason``/``error`` say
    why the previous connection ended, ``downtime`` is seconds without a connection.
    """

    attempt: int
    reason: str
    error: BaseException | None = None
    downtime: float = 0.0


def default_is_fatal(exc: BaseException) -> bool:
    """Handshake rejections with a 4xx status (except 408/429) are not worth retrying."""
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        return 400 <= status < 500 and status not in _RETRYABLE_STATUSES
    return isinstance(exc, InvalidURI)


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionClosed):
        frame = exc.rcvd
        if frame is None:
            return "connection lost (no close frame)"
        return f"server closed the connection ({frame.code}{': ' + frame.reason if frame.reason else ''})"
    if isinstance(exc, InvalidStatus):
        return f"handshake rejected with HTTP {exc.response.status_code}"
    text = redact_text(str(exc))  # e.g. InvalidURI quotes the URL, query-string key included
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ReconnectingWebSocket:
    """A reconnecting, resubscribing WebSocket client; see the module docstring."""

    def __init__(
        self,
        url_for: UrlFor | str,
        *,
        headers_for: HeadersFor | Mapping[str, str] | None = None,
        on_connect: OnConnect | None = None,
        idle_timeout: float | None = None,
        ping_interval: float | None = 20.0,
        ping_timeout: float | None = 20.0,
        open_timeout: float | None = 10.0,
        close_timeout: float | None = 5.0,
        max_size: int | None = DEFAULT_MAX_SIZE,
        max_queue: int | None = 64,
        compression: str | None = "deflate",
        subprotocols: list[str] | None = None,
        backoff: Backoff | None = None,
        reconnect: bool = True,
        max_reconnects: int | None = None,
        is_fatal: Callable[[BaseException], bool] = default_is_fatal,
        on_state_change: StateCallback | None = None,
        yield_markers: bool = False,
        error_family: core_errors.ErrorFamily | None = None,
        connect_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(url_for, str):
            fixed = url_for
            self._url_for: UrlFor = lambda: fixed
        elif callable(url_for):
            self._url_for = url_for
        else:
            raise core_errors.ConfigurationError(
                f"url_for must be a URL string or a callable, got {url_for!r}"
            )
        if idle_timeout is not None and idle_timeout <= 0:
            raise core_errors.ConfigurationError(f"idle_timeout must be > 0 or None, got {idle_timeout!r}")
        if max_size is not None and max_size < 1024 * 1024:
            raise core_errors.ConfigurationError(f"max_size must be at least 1 MiB, got {max_size!r}")
        if max_reconnects is not None and max_reconnects < 0:
            raise core_errors.ConfigurationError(
                f"max_reconnects must be >= 0 or None, got {max_reconnects!r}"
            )
        kwargs = dict(connect_kwargs or {})
        clash = {"additional_headers", "extra_headers"} & kwargs.keys()
        if clash and headers_for is not None:
            raise core_errors.ConfigurationError(
                f"connect_kwargs must not include {sorted(clash)} when headers_for is given"
            )
        self._headers_for = headers_for
        self._on_connect = on_connect
        self.idle_timeout = idle_timeout
        self._connect_kwargs: dict[str, Any] = {
            "ping_interval": ping_interval,
            "ping_timeout": ping_timeout,
            "open_timeout": open_timeout,
            "close_timeout": close_timeout,
            "max_size": max_size,
            "max_queue": max_queue,
            "compression": compression,
            "subprotocols": subprotocols,
            **kwargs,
        }
        self.backoff = backoff if backoff is not None else Backoff(initial=1.0, maximum=30.0)
        self.reconnect = reconnect
        self.max_reconnects = max_reconnects
        self.is_fatal = is_fatal
        self.on_state_change = on_state_change
        self.yield_markers = yield_markers
        self.family: core_errors.ErrorFamily = error_family or core_errors.CORE_FAMILY

        self.state = ConnectionState.DISCONNECTED
        #: consecutive reconnect attempts since the last frame
        self.reconnects = 0
        #: completed connections so far (1 after the first connect)
        self.connections = 0
        self._ws: ClientConnection | None = None
        self._watchdog: asyncio.Task[None] | None = None
        self._waiting_since = 0.0  # loop time when __anext__ started waiting for a frame; 0 = not waiting
        self._idle_fired = False
        self._closed = False
        self._closed_event: asyncio.Event | None = None
        self._drop: tuple[str, BaseException | None, float] | None = None  # why the last connection ended
        self._dropped_at = 0.0
        self._marker: Reconnected | None = None
        self._connect_lock: asyncio.Lock | None = None
        self._time: Callable[[], float] = _no_loop_time
        self._last_reason = ""
        self._last_error: BaseException | None = None

    # -- public -----------------------------------------------------------------------

    @property
    def connection(self) -> ClientConnection | None:
        """The live ``websockets`` connection, or None between connections."""
        return self._ws

    @property
    def connected(self) -> bool:
        return self._ws is not None and self.state is ConnectionState.CONNECTED

    @property
    def closed(self) -> bool:
        return self._closed

    async def connect(self) -> None:
        """Open the first connection now (raising fatal errors here) instead of on first iteration."""
        await self._ensure_connected()

    async def send(self, message: str | bytes) -> None:
        """Send one frame on the live connection.

        Raises :class:`~specwire.core.errors.StreamError` when not connected: messages
        that must survive a reconnect (subscriptions) belong in ``on_connect``.
        """
        ws = self._ws
        if ws is None or self._closed:
            raise core_errors.StreamError("WebSocket is not connected; cannot send")
        try:
            await ws.send(message)
        except ConnectionClosed as exc:
            raise core_errors.StreamError(f"WebSocket send failed: {_describe(exc)}") from exc

    async def aclose(self) -> None:
        """Close the socket and end iteration (idempotent; safe from another task)."""
        if self._closed:
            return
        self._closed = True
        if self._closed_event is not None:
            self._closed_event.set()
        self._stop_watchdog()
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        self._set_state(ConnectionState.DISCONNECTED, "closed by the client")

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Frame | Reconnected:
        while True:
            if self._closed:
                raise StopAsyncIteration
            ws = self._ws
            if ws is None:
                if not await self._ensure_connected():
                    raise StopAsyncIteration
                marker, self._marker = self._marker, None
                if marker is not None and self.yield_markers:
                    return marker
                continue
            # the watchdog only counts time spent *waiting* here: a slow consumer is not idleness
            self._waiting_since = self._time()
            try:
                frame = await ws.recv()
            except ConnectionClosed as exc:
                self._waiting_since = 0.0
                if self._closed:
                    raise StopAsyncIteration from None
                await self._lost(ws, exc)
                continue
            except BaseException:
                self._waiting_since = 0.0
                raise
            self._waiting_since = 0.0
            if self.reconnects:
                self.reconnects = 0
            self.backoff.attempts = 0
            return frame

    # -- internals --------------------------------------------------------------------

    def _set_state(
        self,
        new: ConnectionState,
        reason: str = "",
        error: BaseException | None = None,
        force: bool = False,
        delay: float | None = None,
    ) -> None:
        old, self.state = self.state, new
        if self.on_state_change is None or (old is new and not force):
            return
        try:
            self.on_state_change(
                StateChange(
                    old=old, new=new, reason=reason, error=error, attempt=self.reconnects, delay=delay
                )
            )
        except Exception:
            logger.exception("on_state_change callback raised; ignored")

    async def _lost(self, ws: ClientConnection, exc: BaseException) -> None:
        """The live connection ended: remember why; the next ``__anext__`` reconnects."""
        self._stop_watchdog()
        if self._ws is ws:
            self._ws = None
        reason = _describe(exc)
        if self._idle_fired:
            reason = f"no frame for {self.idle_timeout} s (idle timeout)"
            self._idle_fired = False
        if self.is_fatal(exc):
            self._closed = True
            err = self._fatal_error(exc)
            self._set_state(ConnectionState.DISCONNECTED, reason, err)
            raise err from exc
        self._drop = (reason, exc, 0.0)
        self._dropped_at = self._time()
        with contextlib.suppress(Exception):
            await ws.close()

    async def _ensure_connected(self) -> bool:
        """Connect (or reconnect after a drop). False when reconnecting has ended cleanly."""
        if self._ws is not None:
            return True
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
            self._closed_event = asyncio.Event()
        async with self._connect_lock:
            while self._ws is None:
                if self._closed:
                    return False
                if self._drop is not None:
                    reason, error, floor = self._drop
                    self._drop = None
                    self._last_reason, self._last_error = reason, error
                    delay = self._next_delay(reason, error, floor)
                    if delay is None:
                        return False
                    if delay > 0 and await self._sleep_or_closed(delay):
                        return False
                elif self.state is ConnectionState.DISCONNECTED:
                    self._set_state(ConnectionState.CONNECTING, "connecting")
                await self._connect_once()
            return True

    def _next_delay(self, reason: str, error: BaseException | None, floor: float) -> float | None:
        exhausted = (
            not self.reconnect
            or (self.max_reconnects is not None and self.reconnects >= self.max_reconnects)
            or self.backoff.exhausted
        )
        if exhausted:
            self._closed = True
            clean = error is None or (isinstance(error, ConnectionClosed) and error.rcvd is not None)
            final = None if clean else self._final_error(error)
            self._set_state(ConnectionState.DISCONNECTED, reason, final or error)
            if final is not None:
                raise final
            return None
        self.reconnects += 1
        # a Retry-After hint wins over the backoff's cap, within reason
        delay = max(self.backoff.next_delay(), min(floor, MAX_SERVER_DELAY))
        self._set_state(ConnectionState.RECONNECTING, reason, error, force=True, delay=delay)
        return delay

    async def _sleep_or_closed(self, delay: float) -> bool:
        assert self._closed_event is not None
        try:
            await asyncio.wait_for(self._closed_event.wait(), delay)
        except TimeoutError:
            return False
        return True

    async def _connect_once(self) -> None:
        self._time = asyncio.get_running_loop().time
        started = self._time()
        url = ""
        try:
            url = await _maybe_await(self._url_for())
            headers = self._headers_for
            if headers is not None and not isinstance(headers, Mapping):
                headers = await _maybe_await(headers())
            kwargs = dict(self._connect_kwargs)
            if headers:
                kwargs["additional_headers"] = dict(headers)
            ws = await connect(url, **kwargs)
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            self._connect_failed(url, exc)
            return
        # on_connect runs before anything is yielded; a drop inside it is a normal drop
        try:
            if self._on_connect is not None:
                await self._on_connect(ws)
        except (ConnectionClosed, OSError, TimeoutError) as exc:
            # lost, or an acknowledgement that never came: retried like any drop
            with contextlib.suppress(Exception):
                await ws.close()
            if self.is_fatal(exc):
                self._closed = True
                err = self._fatal_error(exc, url)
                self._set_state(ConnectionState.DISCONNECTED, _describe(exc), err)
                raise err from exc
            self._drop = (_describe(exc), exc, 0.0)
            if not self._dropped_at:
                self._dropped_at = started
            return
        except BaseException:
            with contextlib.suppress(Exception):
                await ws.close()
            raise
        if self._closed:
            await ws.close()
            return
        self._ws = ws
        self.connections += 1
        self._waiting_since = 0.0
        self._idle_fired = False
        if self.idle_timeout is not None:
            self._watchdog = asyncio.get_running_loop().create_task(self._watch(ws, self.idle_timeout))
        if self.connections > 1:
            self._marker = Reconnected(
                attempt=self.reconnects,
                reason=self._last_reason,
                error=self._last_error,
                downtime=max(0.0, self._time() - self._dropped_at) if self._dropped_at else 0.0,
            )
        self._dropped_at = 0.0
        self._set_state(ConnectionState.CONNECTED, "connected")

    def _connect_failed(self, url: str, exc: BaseException) -> None:
        if self.is_fatal(exc):
            self._closed = True
            err = self._fatal_error(exc, url)
            self._set_state(ConnectionState.DISCONNECTED, _describe(exc), err)
            raise err from exc
        floor = 0.0
        if isinstance(exc, InvalidStatus):
            floor = parse_retry_after(_header_map(exc)) or 0.0
        if not self._dropped_at:
            self._dropped_at = self._time()
        self._drop = (_describe(exc), exc, floor)

    def _fatal_error(self, exc: BaseException, url: str = "") -> BaseException:
        if isinstance(exc, InvalidStatus):
            r = exc.response
            request = httpx.Request("GET", _http_url(url)) if url else None
            response = httpx.Response(
                r.status_code,
                headers=list(r.headers.raw_items()),
                content=bytes(r.body or b""),
                request=request,
            )
            message = self.family.message_extractor(response)
            return self.family.from_response(response, message=f"WebSocket handshake rejected: {message}")
        if isinstance(exc, ConnectionClosed):
            return core_errors.StreamError(f"WebSocket closed: {_describe(exc)}")
        return self._final_error(exc)

    def _final_error(self, exc: BaseException | None) -> BaseException:
        if isinstance(exc, TimeoutError):
            return self.family.APITimeoutError.create(f"WebSocket connect timed out ({type(exc).__name__})")
        if isinstance(exc, InvalidStatus):
            return self._fatal_error(exc)
        if isinstance(exc, core_errors.SpecwireError):
            return exc
        err = self.family.APIConnectionError.create(
            f"WebSocket connection failed: {_describe(exc or Exception())}"
        )
        err.__cause__ = exc
        return err

    async def _watch(self, ws: ClientConnection, idle: float) -> None:
        """Abort the socket once the consumer has waited ``idle`` seconds for a frame.

        Frames already received but not yet consumed are never at risk: the clock only
        runs while ``__anext__`` is blocked in ``recv()``, and after an abort websockets
        still hands out the frames it had buffered before reporting the drop.
        """
        loop = asyncio.get_running_loop()
        while True:
            since = self._waiting_since
            remaining = idle - (loop.time() - since) if since else idle
            if remaining <= 0:
                if self._ws is ws:
                    self._idle_fired = True
                    ws.transport.abort()
                return
            await asyncio.sleep(remaining)

    def _stop_watchdog(self) -> None:
        w, self._watchdog = self._watchdog, None
        if w is not None and not w.done() and w is not asyncio.current_task():
            w.cancel()


def _no_loop_time() -> float:
    return asyncio.get_running_loop().time()


def _header_map(exc: InvalidStatus) -> dict[str, str]:
    return {k.lower(): v for k, v in exc.response.headers.raw_items()}


def _http_url(url: str) -> str:
    if url.startswith("wss://"):
        return "https://" + url[6:]
    if url.startswith("ws://"):
        return "http://" + url[5:]
    return url
