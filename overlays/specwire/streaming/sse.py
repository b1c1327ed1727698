"""Resumable Server-Sent Events subscriptions over httpx, sync and async with one behaviour.

httpx-sse parses a single response and stops; a market stream has to survive
drops without losing or repeating events. :func:`aconnect_sse` / :func:`connect_sse`
return an iterator of :class:`ServerSentEvent` that spans as many HTTP responses
as it takes:

* **resume** — every (re)connect asks ``url_for(cursor)`` for the URL, where
  ``cursor`` is ``cursor_of(event)`` of the last dispatched event (default: its SSE
  ``id``); ``Last-Event-ID`` is sent whenever an id is known. A provider whose
  cursor lives inside the JSON payload decodes once in its own loop and assigns
  ``stream.cursor = ...`` before asking for the next event.
* **fresh credentials** — ``headers_for()`` (sync or async callable) is called on
  every connect, so a renewed token goes out on the next reconnect.
* **reconnect** on a clean EOF (a dropped close-delimited body looks exactly like
  one), ``httpx.RemoteProtocolError`` (a chunked body cut mid-stream), read errors,
  connect errors and timeouts, and on HTTP 408/429/5xx (``Retry-After`` honoured);
  delays come from :class:`~specwire.streaming.backoff.Backoff` (full jitter), with
  the server's ``retry:`` as the floor, and the attempt counter resets once an event
  arrives. ``max_reconnects`` caps *consecutive* reconnects without an event.
* **stop** on HTTP 204, on an event for which ``is_terminal(event)`` is true (the
  event is still delivered), on ``close()``/``aclose()``, ``break`` inside a
  ``with``/``async with`` block, or task cancellation — each closes the HTTP
  response at once.
* **fail** on any other 4xx (the typed error from :mod:`specwire.core.errors`, or
  the provider's own family via ``error_family=``), on a 2xx whose Content-Type is
  not ``text/event-stream`` (an :class:`~specwire.core.errors.APIStatusError`
  carrying the body's message), and — once reconnects are exhausted — with the
  last transport failure as :class:`~specwire.core.errors.APIConnectionError` /
  :class:`~specwire.core.errors.APITimeoutError`.
* **idle detection** — the stream request gets its own timeout
  (``httpx.Timeout(connect=connect_timeout, read=idle_timeout)``), so the client's
  REST read timeout never kills a quiet stream, and silence longer than
  ``idle_timeout`` (no bytes at all: comment heartbeats count as liveness) is a
  reconnect.

Typical use::

    async with aconnect_sse(client, lambda cursor: build_url(cursor=cursor),
                            headers_for=auth_headers, idle_timeout=30) as events:
        async for ev in events:
            handle(msgspec.json.decode(ev.data, type=Update))

``on_state_change`` receives :class:`~specwire.streaming.state.StateChange` records
(CONNECTING → CONNECTED → RECONNECTING → CONNECTED … → DISCONNECTED).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from specwire.core import errors as core_errors
from specwire.core.retry_after import parse_retry_after
from specwire.streaming.backoff import Backoff
from specwire.streaming.sse_decoder import ServerSentEvent, SSEDecoder
from specwire.streaming.state import ConnectionState, StateChange

__all__ = [
    "RETRYABLE_STATUSES",
    "AsyncSSEStream",
    "SSEDecoder",
    "SSEStream",
    "ServerSentEvent",
    "aconnect_sse",
    "connect_sse",
]

logger = logging.getLogger("specwire.streaming.sse")

UrlFor = Callable[[str | None], "str | httpx.URL"]
HeadersFor = Callable[[], "Mapping[str, str] | Awaitable[Mapping[str, str]]"]
StateCallback = Callable[[StateChange], Any]
CursorOf = Callable[[ServerSentEvent], "str | None"]
IsTerminal = Callable[[ServerSentEvent], bool]

#: HTTP statuses on which a stream reconnects instead of failing.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Longest wait a server's ``retry:`` / ``Retry-After`` hint can impose (seconds).
MAX_SERVER_DELAY = 600.0
#: Transport failures that mean "the connection is gone, try again".
_RECONNECTABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _default_cursor_of(event: ServerSentEvent) -> str | None:
    return event.id or None


class _Retry(Exception):
    """Internal: a response that asks for a reconnect (408/429/5xx)."""

    def __init__(self, error: BaseException, floor: float) -> None:
        super().__init__(str(error))
        self.error = error
        self.floor = floor


class _Session:
    """The state machine both twins share: what to send, how to read a response, when to retry."""

    def __init__(
        self,
        url_for: UrlFor | str | httpx.URL,
        *,
        method: str,
        headers_for: HeadersFor | Mapping[str, str] | None,
        cursor: str | None,
        last_event_id: str | None,
        send_last_event_id: bool,
        cursor_of: CursorOf | None,
        idle_timeout: float | None,
        connect_timeout: float | None,
        backoff: Backoff | None,
        reconnect: bool,
        reconnect_on_eof: bool,
        max_reconnects: int | None,
        on_state_change: StateCallback | None,
        is_terminal: IsTerminal | None,
        error_family: core_errors.ErrorFamily | None,
    ) -> None:
        if max_reconnects is not None and max_reconnects < 0:
            raise core_errors.ConfigurationError(
                f"max_reconnects must be >= 0 or None, got {max_reconnects!r}"
            )
        if idle_timeout is not None and idle_timeout <= 0:
            raise core_errors.ConfigurationError(f"idle_timeout must be > 0 or None, got {idle_timeout!r}")
        if isinstance(url_for, str | httpx.URL):
            fixed = url_for
            self.url_for: UrlFor = lambda _cursor: fixed
        elif callable(url_for):
            self.url_for = url_for
        else:
            raise core_errors.ConfigurationError(f"url_for must be a URL or a callable, got {url_for!r}")
        self.method = method.upper()
        self.headers_for = headers_for
        self.cursor = cursor
        if last_event_id is None and cursor_of is None:
            last_event_id = cursor  # with the default cursor the two are the same thing
        self.last_event_id = last_event_id or ""
        self.send_last_event_id = send_last_event_id
        self.cursor_of: CursorOf = cursor_of or _default_cursor_of
        self.timeout = httpx.Timeout(
            connect=connect_timeout, read=idle_timeout, write=connect_timeout, pool=None
        )
        self.backoff = backoff if backoff is not None else Backoff(initial=1.0, maximum=30.0)
        self.reconnect = reconnect
        self.reconnect_on_eof = reconnect_on_eof
        self.max_reconnects = max_reconnects
        self.on_state_change = on_state_change
        self.is_terminal = is_terminal
        self.family: core_errors.ErrorFamily = error_family or core_errors.CORE_FAMILY
        self.retry_ms: int | None = None
        self.reconnects = 0
        self.events = 0
        self.state = ConnectionState.DISCONNECTED
        self.decoder: SSEDecoder | None = None
        self.response: httpx.Response | None = None  # the open stream, so close() can cut it
        self.closed = False

    # -- state ------------------------------------------------------------------------

    def set_state(
        self,
        new: ConnectionState,
        reason: str = "",
        error: BaseException | None = None,
        delay: float | None = None,
    ) -> None:
        old, self.state = self.state, new
        if self.on_state_change is None or (old is new and new is not ConnectionState.RECONNECTING):
            return
        change = StateChange(
            old=old, new=new, reason=reason, error=error, attempt=self.reconnects, delay=delay
        )
        try:
            self.on_state_change(change)
        except Exception:  # a callback must never kill the stream
            logger.exception("on_state_change callback raised; ignored")

    # -- requests ---------------------------------------------------------------------

    def _absorb_decoder(self) -> None:
        d = self.decoder
        if d is not None:
            self.last_event_id = d.last_event_id
            if d.retry is not None:
                self.retry_ms = d.retry
            self.decoder = None

    def begin(self) -> str | httpx.URL:
        """Called before each connect: returns the URL and announces the state."""
        self._absorb_decoder()
        if self.state is ConnectionState.DISCONNECTED:
            self.set_state(ConnectionState.CONNECTING, "connecting")
        return self.url_for(self.cursor)

    def headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        h = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if extra:
            h.update(extra)
        if self.send_last_event_id and self.last_event_id:
            h["Last-Event-ID"] = self.last_event_id
        return h

    def needs_body(self, resp: httpx.Response) -> bool:
        """Read the body only of responses that are not a stream (errors, wrong type)."""
        return not (200 <= resp.status_code < 300 and _is_event_stream(resp))

    def accept(self, resp: httpx.Response) -> bool:
        """Check a response (its body already read if :meth:`needs_body`); False means "finished"."""
        status = resp.status_code
        if status == 204:
            self.set_state(ConnectionState.DISCONNECTED, "server answered 204 No Content: stream finished")
            return False
        if 200 <= status < 300:
            if not _is_event_stream(resp):
                ctype = resp.headers.get("content-type", "")
                err = self._status_error(
                    resp, f"expected a text/event-stream response, got {ctype or 'no Content-Type'!r}"
                )
                self.set_state(ConnectionState.DISCONNECTED, "not an event stream", err)
                raise err
            self.decoder = SSEDecoder(self.last_event_id, self.retry_ms)
            self.set_state(ConnectionState.CONNECTED, f"HTTP {status}")
            return True
        err = self._status_error(resp, None)
        if status in RETRYABLE_STATUSES:
            raise _Retry(err, parse_retry_after(resp.headers) or 0.0)
        self.set_state(ConnectionState.DISCONNECTED, f"HTTP {status}", err)
        raise err

    def _status_error(self, resp: httpx.Response, prefix: str | None) -> BaseException:
        family = self.family
        try:
            message = family.message_extractor(resp)
        except Exception:  # a malformed error body must not mask the failure itself
            message = resp.reason_phrase or f"HTTP {resp.status_code}"
        if prefix is not None:
            message = f"{prefix}: {message}" if message else prefix
        return family.from_response(resp, message=message)

    # -- events -----------------------------------------------------------------------

    def on_event(self, ev: ServerSentEvent) -> bool:
        """Book-keeping for one dispatched event; True if it ends the stream."""
        if self.reconnects:
            self.reconnects = 0
        self.backoff.attempts = 0
        self.events += 1
        c = self.cursor_of(ev)
        if c:
            self.cursor = c
        if self.is_terminal is not None and self.is_terminal(ev):
            self._absorb_decoder()
            self.set_state(ConnectionState.DISCONNECTED, "terminal event")
            return True
        return False

    # -- failures ---------------------------------------------------------------------

    def on_failure(self, reason: str, error: BaseException | None, floor: float = 0.0) -> float | None:
        """Decide after a drop: seconds to wait before reconnecting, None to stop, or raise."""
        self._absorb_decoder()
        give_up = (
            self.closed
            or not self.reconnect
            or (error is None and not self.reconnect_on_eof)
            or (self.max_reconnects is not None and self.reconnects >= self.max_reconnects)
            or self.backoff.exhausted
        )
        if give_up:
            final = None if error is None or self.closed else self._final_error(error)
            self.set_state(ConnectionState.DISCONNECTED, reason, final)
            if final is not None:
                raise final
            return None
        self.reconnects += 1
        hint = self.retry_ms / 1000.0 if self.retry_ms else 0.0
        # the server's hint wins over the backoff's cap, within reason
        delay = max(self.backoff.next_delay(), min(max(hint, floor), MAX_SERVER_DELAY))
        self.set_state(ConnectionState.RECONNECTING, reason, error, delay)
        return delay

    def _final_error(self, error: BaseException) -> BaseException:
        """What the caller sees once reconnects are exhausted."""
        if isinstance(error, core_errors.SpecwireError):
            return error  # a retryable status error (408/429/5xx) that kept coming back
        if isinstance(error, httpx.TransportError):
            return self.family.from_transport_exception(error)
        return error

    def close(self, reason: str = "closed by the client") -> None:
        if not self.closed:
            self.closed = True
            self._absorb_decoder()
            if self.state is not ConnectionState.DISCONNECTED:
                self.set_state(ConnectionState.DISCONNECTED, reason)


def _is_event_stream(resp: httpx.Response) -> bool:
    return "text/event-stream" in resp.headers.get("content-type", "").lower()


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _shutdown_socket(resp: httpx.Response) -> None:
    """Interrupt a blocking read on ``resp`` from another thread (closing alone would not)."""
    stream = resp.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _check_headers(value: Any) -> Mapping[str, str] | None:
    if value is None or isinstance(value, Mapping):
        return value
    raise core_errors.ConfigurationError(f"headers_for must return a mapping of headers, got {value!r}")


class AsyncSSEStream:
    """Async iterator of :class:`ServerSentEvent` across reconnects; see the module docstring.

    Use it as ``async with aconnect_sse(...) as events: async for ev in events`` so that
    leaving the block closes the HTTP response at once. ``cursor`` may be reassigned
    between events when the resume point lives inside the payload.
    """

    def __init__(self, client: httpx.AsyncClient, session: _Session) -> None:
        self._client = client
        self._s = session
        self._wake: asyncio.Event | None = None
        self._gen: Any = self._run()

    # public state
    @property
    def cursor(self) -> str | None:
        return self._s.cursor

    @cursor.setter
    def cursor(self, value: str | None) -> None:
        self._s.cursor = value

    @property
    def last_event_id(self) -> str:
        d = self._s.decoder
        return d.last_event_id if d is not None else self._s.last_event_id

    @property
    def retry_ms(self) -> int | None:
        d = self._s.decoder
        return d.retry if d is not None and d.retry is not None else self._s.retry_ms

    @property
    def state(self) -> ConnectionState:
        return self._s.state

    @property
    def reconnects(self) -> int:
        """Consecutive reconnects since the last event."""
        return self._s.reconnects

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ServerSentEvent:
        return await self._gen.__anext__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop: closes the current HTTP response and ends iteration (also from another task)."""
        s = self._s
        s.close()
        if self._wake is not None:
            self._wake.set()
        if self._gen.ag_running:  # another task is inside __anext__: cut its response instead
            resp = s.response
            if resp is not None:
                await resp.aclose()
            return
        await self._gen.aclose()

    async def _headers(self) -> Mapping[str, str] | None:
        hf = self._s.headers_for
        if hf is None or isinstance(hf, Mapping):
            return hf
        value = hf()
        if inspect.isawaitable(value):
            value = await value
        return _check_headers(value)

    async def _run(self) -> AsyncIterator[ServerSentEvent]:
        s = self._s
        client = self._client
        try:
            while not s.closed:
                url = s.begin()
                headers = s.headers(await self._headers())
                failure: tuple[str, BaseException | None, float]
                try:
                    async with client.stream(s.method, url, headers=headers, timeout=s.timeout) as resp:
                        s.response = resp
                        if s.closed:  # close() landed while connecting: drop this response unread
                            return
                        if s.needs_body(resp):
                            await resp.aread()
                        if not s.accept(resp):
                            return
                        decoder = s.decoder
                        assert decoder is not None
                        async for chunk in resp.aiter_bytes():
                            for ev in decoder.feed(chunk):
                                if s.on_event(ev):
                                    yield ev
                                    return
                                yield ev
                    failure = ("server ended the stream", None, 0.0)
                except _Retry as r:
                    failure = (_describe(r.error), r.error, r.floor)
                except _RECONNECTABLE as exc:
                    failure = (_describe(exc), exc, 0.0)
                except Exception:
                    if s.closed:  # aclose() from another task cut the response
                        return
                    raise
                finally:
                    s.response = None
                delay = s.on_failure(*failure)
                if delay is None:
                    return
                if delay > 0:
                    if self._wake is None:
                        self._wake = asyncio.Event()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), delay)
        finally:
            s.close()


class SSEStream:
    """The sync twin of :class:`AsyncSSEStream` over ``httpx.Client``: same options, same behaviour."""

    def __init__(
        self, client: httpx.Client, session: _Session, sleep: Callable[[float], Any] | None = None
    ) -> None:
        self._client = client
        self._s = session
        self._wake = threading.Event()
        self._sleep = sleep
        self._gen: Iterator[ServerSentEvent] = self._run()

    @property
    def cursor(self) -> str | None:
        return self._s.cursor

    @cursor.setter
    def cursor(self, value: str | None) -> None:
        self._s.cursor = value

    @property
    def last_event_id(self) -> str:
        d = self._s.decoder
        return d.last_event_id if d is not None else self._s.last_event_id

    @property
    def retry_ms(self) -> int | None:
        d = self._s.decoder
        return d.retry if d is not None and d.retry is not None else self._s.retry_ms

    @property
    def state(self) -> ConnectionState:
        return self._s.state

    @property
    def reconnects(self) -> int:
        return self._s.reconnects

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> ServerSentEvent:
        return next(self._gen)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop: closes the current HTTP response and ends iteration (also from another thread)."""
        s = self._s
        s.close()
        self._wake.set()
        if self._gen.gi_running:  # type: ignore[attr-defined]  # iterating in another thread
            resp = s.response
            if resp is not None:
                _shutdown_socket(resp)  # wakes the thread blocked in recv()
            return
        self._gen.close()  # type: ignore[attr-defined]

    def _headers(self) -> Mapping[str, str] | None:
        hf = self._s.headers_for
        if hf is None or isinstance(hf, Mapping):
            return hf
        value = hf()
        if inspect.isawaitable(value):
            if inspect.iscoroutine(value):
                value.close()
            raise core_errors.ConfigurationError(
                f"headers_for={hf!r} is async; the sync connect_sse needs a plain callable"
            )
        return _check_headers(value)

    def _run(self) -> Iterator[ServerSentEvent]:
        s = self._s
        client = self._client
        try:
            while not s.closed:
                url = s.begin()
                headers = s.headers(self._headers())
                failure: tuple[str, BaseException | None, float]
                try:
                    with client.stream(s.method, url, headers=headers, timeout=s.timeout) as resp:
                        s.response = resp
                        if s.closed:  # close() landed while connecting: drop this response unread
                            return
                        if s.needs_body(resp):
                            resp.read()
                        if not s.accept(resp):
                            return
                        decoder = s.decoder
                        assert decoder is not None
                        for chunk in resp.iter_bytes():
                            for ev in decoder.feed(chunk):
                                if s.on_event(ev):
                                    yield ev
                                    return
                                yield ev
                    failure = ("server ended the stream", None, 0.0)
                except _Retry as r:
                    failure = (_describe(r.error), r.error, r.floor)
                except _RECONNECTABLE as exc:
                    failure = (_describe(exc), exc, 0.0)
                except Exception:
                    if s.closed:  # close() from another thread cut the response
                        return
                    raise
                finally:
                    s.response = None
                delay = s.on_failure(*failure)
                if delay is None:
                    return
                if delay > 0:
                    if self._sleep is not None:
                        self._sleep(delay)
                    else:
                        self._wake.wait(delay)  # close() from another thread cuts it short
        finally:
            s.close()


def aconnect_sse(
    client: httpx.AsyncClient,
    url_for: UrlFor | str | httpx.URL,
    *,
    method: str = "GET",
    headers_for: HeadersFor | Mapping[str, str] | None = None,
    cursor: str | None = None,
    last_event_id: str | None = None,
    send_last_event_id: bool = True,
    cursor_of: CursorOf | None = None,
    idle_timeout: float | None = 60.0,
    connect_timeout: float | None = 10.0,
    backoff: Backoff | None = None,
    reconnect: bool = True,
    reconnect_on_eof: bool = True,
    max_reconnects: int | None = None,
    on_state_change: StateCallback | None = None,
    is_terminal: IsTerminal | None = None,
    error_family: core_errors.ErrorFamily | None = None,
) -> AsyncSSEStream:
    """Open a resumable SSE subscription on ``client``; iterate it with ``async for``.

    Nothing is sent until the first event is requested. ``url_for(cursor)`` builds
    the URL of each connect (a plain URL is accepted too); ``headers_for()`` gives
    fresh headers per connect (sync or async). ``cursor`` / ``last_event_id`` resume
    an earlier subscription. ``error_family`` is an
    :class:`~specwire.core.errors.ErrorFamily` whose ``from_response`` builds the
    provider's typed errors. See the module docstring for the reconnect rules.
    """
    session = _Session(
        url_for,
        method=method,
        headers_for=headers_for,
        cursor=cursor,
        last_event_id=last_event_id,
        send_last_event_id=send_last_event_id,
        cursor_of=cursor_of,
        idle_timeout=idle_timeout,
        connect_timeout=connect_timeout,
        backoff=backoff,
        reconnect=reconnect,
        reconnect_on_eof=reconnect_on_eof,
        max_reconnects=max_reconnects,
        on_state_change=on_state_change,
        is_terminal=is_terminal,
        error_family=error_family,
    )
    return AsyncSSEStream(client, session)


def connect_sse(
    client: httpx.Client,
    url_for: UrlFor | str | httpx.URL,
    *,
    method: str = "GET",
    headers_for: Callable[[], Mapping[str, str]] | Mapping[str, str] | None = None,
    cursor: str | None = None,
    last_event_id: str | None = None,
    send_last_event_id: bool = True,
    cursor_of: CursorOf | None = None,
    idle_timeout: float | None = 60.0,
    connect_timeout: float | None = 10.0,
    backoff: Backoff | None = None,
    reconnect: bool = True,
    reconnect_on_eof: bool = True,
    max_reconnects: int | None = None,
    on_state_change: StateCallback | None = None,
    is_terminal: IsTerminal | None = None,
    error_family: core_errors.ErrorFamily | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> SSEStream:
    """The sync twin of :func:`aconnect_sse` over ``httpx.Client``; iterate it with ``for``.

    ``sleep`` replaces the wait between reconnects (tests, custom schedulers); by
    default the wait ends early when ``close()`` is called from another thread.
    """
    session = _Session(
        url_for,
        method=method,
        headers_for=headers_for,
        cursor=cursor,
        last_event_id=last_event_id,
        send_last_event_id=send_last_event_id,
        cursor_of=cursor_of,
        idle_timeout=idle_timeout,
        connect_timeout=connect_timeout,
        backoff=backoff,
        reconnect=reconnect,
        reconnect_on_eof=reconnect_on_eof,
        max_reconnects=max_reconnects,
        on_state_change=on_state_change,
        is_terminal=is_terminal,
        error_family=error_family,
    )
    return SSEStream(client, session, sleep)
