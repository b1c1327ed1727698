"""SSE and WebSocket subscriptions to Restless Stream runtime URLs, on the streaming core.

The transport work (reconnects with jittered backoff, idle timeouts, state
changes, typed HTTP errors) is :mod:`specwire.streaming.sse` and
:mod:`specwire.streaming.websocket`; this module adds what is Restless-specific:

* the resume URL of each (re)connect — ``cursor`` = the last event's id (or its
  timestamp in Unix ms); once a cursor exists ``since`` is dropped from the URL,
  so a reconnect never asks for events the caller already has;
* :class:`~specwire.restless.streams.events.EventProcessor` per subscription (typed
  decode, exactly-once delivery, signature checks, malformed frames reported as
  error events);
* runtime auth: the headers of :func:`specwire.restless.auth.runtime_headers`;
* the split of a direct-stream call's keyword arguments into URL inputs and
  subscription options, and the WebSocket opener both clients share (the sync
  client runs it on a background loop).

:class:`SubscriptionOptions` validates every option before anything is sent.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import attrs
import httpx
from specwire_gen.restless.stream_models import StreamEvent

from specwire.core.errors import ConfigurationError
from specwire.restless.auth import runtime_headers
from specwire.restless.errors import family
from specwire.restless.streams.events import EventProcessor, SignedPayload
from specwire.restless.urls import to_websocket_url
from specwire.streaming.backoff import Backoff
from specwire.streaming.sse import aconnect_sse, connect_sse
from specwire.streaming.state import StateChange

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "RUNTIME_OPTIONS",
    "SubscriptionOptions",
    "aiter_sse",
    "aiter_websocket",
    "check_connect_kwargs",
    "check_url",
    "iter_sse",
    "make_options",
    "resume_url",
    "split_direct",
    "ws_opener",
]

#: Seconds without a byte (SSE; comment heartbeats count) or a frame (WebSocket) before reconnecting.
DEFAULT_IDLE_TIMEOUT = 60.0
#: Upper bound of the jittered reconnect delay.
MAX_RETRY_DELAY = 30.0

#: Options of a subscription that are not part of a direct stream's inputs.
RUNTIME_OPTIONS = (
    "reconnect",
    "max_reconnects",
    "retry_seconds",
    "idle_timeout",
    "verify_signatures",
    "signed_payload",
    "raise_parse_errors",
    "on_state_change",
)


def check_url(url: Any, schemes: tuple[str, ...]) -> str:
    if isinstance(url, httpx.URL):
        url = str(url)
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"url must be a non-empty runtime URL, got {url!r}")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"url is not a valid URL: {url!r} ({exc})") from None
    if parsed.scheme not in schemes or not parsed.host:
        raise ValueError(f"url must be an absolute {'/'.join(schemes)} URL, got {url!r}")
    return url


def _opt_number(
    name: str, value: Any, *, allow_none: bool, minimum: float = 0.0, strict: bool = False
) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if value < minimum or (strict and value == minimum):
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value!r}")


@attrs.frozen
class SubscriptionOptions:
    """The options every subscription takes (the official SDK's plus ours).

    ``retry_seconds`` is the first reconnect delay; consecutive failures double it
    (full jitter, capped at 30 s) and a received event resets it.
    ``max_reconnects`` caps consecutive reconnects without an event.
    """

    cursor: str | None = None
    since: str | None = None
    reconnect: bool = True
    max_reconnects: int | None = None
    retry_seconds: float = 1.0
    idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT
    verify_signatures: str | bytes | None = attrs.field(default=None, repr=False)
    signed_payload: SignedPayload = "data"
    raise_parse_errors: bool = False
    on_state_change: Callable[[StateChange], Any] | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("cursor", "since"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name} must be a string, got {type(value).__name__}")
        if not isinstance(self.reconnect, bool):
            raise TypeError(f"reconnect must be a bool, got {self.reconnect!r}")
        if self.max_reconnects is not None and (
            isinstance(self.max_reconnects, bool)
            or not isinstance(self.max_reconnects, int)
            or self.max_reconnects < 0
        ):
            raise ValueError(f"max_reconnects must be an int >= 0 or None, got {self.max_reconnects!r}")
        _opt_number("retry_seconds", self.retry_seconds, allow_none=False)
        _opt_number("idle_timeout", self.idle_timeout, allow_none=True, strict=True)
        if self.on_state_change is not None and not callable(self.on_state_change):
            raise TypeError(f"on_state_change must be callable, got {self.on_state_change!r}")
        # builds (and so validates) the processor options once, eagerly
        self.processor()

    def processor(self) -> EventProcessor:
        return EventProcessor(
            cursor=self.cursor,
            verify_signatures=self.verify_signatures,
            signed_payload=self.signed_payload,
            raise_parse_errors=self.raise_parse_errors,
        )

    def backoff(self) -> Backoff:
        initial = float(self.retry_seconds)
        return Backoff(initial=initial, maximum=max(MAX_RETRY_DELAY, initial), multiplier=2.0, jitter=True)


def resume_url(url: str, cursor: str | None, since: str | None) -> str:
    """The URL of one (re)connect: ``cursor`` set when known (and ``since`` then dropped), else ``since``."""
    parsed = httpx.URL(url)
    if cursor:
        parsed = parsed.copy_set_param("cursor", cursor).copy_remove_param("since")
    elif since:
        parsed = parsed.copy_set_param("since", since)
    return str(parsed)


def iter_sse(
    client: httpx.Client,
    url: str,
    options: SubscriptionOptions,
    headers: Mapping[str, str],
    *,
    connect_timeout: float | None,
    sleep: Callable[[float], None] | None = None,
) -> Iterator[StreamEvent]:
    """Sync SSE subscription as a generator of typed events (closing it closes the response)."""
    proc = options.processor()
    extra: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
    stream = connect_sse(
        client,
        lambda _cursor: resume_url(url, proc.cursor, options.since),
        headers_for=dict(headers),
        cursor=proc.cursor,
        cursor_of=_no_core_cursor,
        idle_timeout=options.idle_timeout,
        connect_timeout=connect_timeout,
        backoff=options.backoff(),
        reconnect=options.reconnect,
        max_reconnects=options.max_reconnects,
        on_state_change=options.on_state_change,
        error_family=family,
        **extra,
    )
    with stream:
        for sse in stream:
            event = proc.process(sse.data, sse.id or None)
            if event is not None:
                yield event


async def aiter_sse(
    client: httpx.AsyncClient,
    url: str,
    options: SubscriptionOptions,
    headers: Mapping[str, str],
    *,
    connect_timeout: float | None,
) -> AsyncIterator[StreamEvent]:
    """Async SSE subscription as an async generator of typed events."""
    proc = options.processor()
    stream = aconnect_sse(
        client,
        lambda _cursor: resume_url(url, proc.cursor, options.since),
        headers_for=dict(headers),
        cursor=proc.cursor,
        cursor_of=_no_core_cursor,
        idle_timeout=options.idle_timeout,
        connect_timeout=connect_timeout,
        backoff=options.backoff(),
        reconnect=options.reconnect,
        max_reconnects=options.max_reconnects,
        on_state_change=options.on_state_change,
        error_family=family,
    )
    async with stream:
        async for sse in stream:
            event = proc.process(sse.data, sse.id or None)
            if event is not None:
                yield event


def check_connect_kwargs(connect_kwargs: Mapping[str, Any] | None, api_key: str | None) -> dict[str, Any]:
    """``connect_kwargs`` for ``websockets.connect``; header options clash with our auth header."""
    if connect_kwargs is None:
        return {}
    if not isinstance(connect_kwargs, Mapping):
        raise TypeError(f"connect_kwargs must be a mapping, got {type(connect_kwargs).__name__}")
    kwargs = dict(connect_kwargs)
    clash = sorted({"additional_headers", "extra_headers"} & kwargs.keys())
    if clash and api_key:
        raise ValueError(
            f"connect_kwargs must not include additional_headers or extra_headers when api_key is set (got {clash})"
        )
    if "extra_headers" in kwargs:  # the legacy websockets name
        kwargs["additional_headers"] = kwargs.pop("extra_headers")
    for key in ("uri", "url"):
        if key in kwargs:
            raise ValueError(f"connect_kwargs must not include {key!r}: the URL is the first argument")
    return kwargs


async def aiter_websocket(
    url: str,
    options: SubscriptionOptions,
    headers: Mapping[str, str],
    *,
    connect_kwargs: Mapping[str, Any],
    on_state_change: Callable[[StateChange], Any] | None = None,
) -> AsyncIterator[StreamEvent]:
    """Async WebSocket subscription (receive-only) as an async generator of typed events."""
    proc = options.processor()
    kwargs = dict(connect_kwargs)
    open_timeout = kwargs.pop("open_timeout", 10.0)
    ping_interval = kwargs.pop("ping_interval", 20.0)
    ping_timeout = kwargs.pop("ping_timeout", 20.0)
    if "max_size" in kwargs and kwargs["max_size"] is not None and kwargs["max_size"] < 1024 * 1024:
        raise ConfigurationError(
            f"connect_kwargs max_size must be at least 1 MiB, got {kwargs['max_size']!r}"
        )
    # websockets loads with the first stream, not with the package
    from specwire.streaming.websocket import ReconnectingWebSocket

    rws = ReconnectingWebSocket(
        lambda: resume_url(url, proc.cursor, options.since),
        headers_for=dict(headers) if headers else None,
        idle_timeout=options.idle_timeout,
        open_timeout=open_timeout,
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        backoff=options.backoff(),
        reconnect=options.reconnect,
        max_reconnects=options.max_reconnects,
        on_state_change=on_state_change or options.on_state_change,
        error_family=family,
        connect_kwargs=kwargs,
    )
    async with rws:
        async for frame in rws:
            data = frame.encode("utf-8") if isinstance(frame, str) else frame
            if not isinstance(data, bytes):  # a Reconnected marker (not requested) or anything else
                continue
            event = proc.process(data)
            if event is not None:
                yield event


def _no_core_cursor(_event: Any) -> None:
    """The cursor lives in the event JSON; :class:`EventProcessor` tracks it, not the SSE core."""
    return None


def split_direct(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Direct-stream inputs (to the URL builder) vs runtime options (to the subscription)."""
    runtime = {k: kwargs.pop(k) for k in RUNTIME_OPTIONS if k in kwargs}
    for key in ("cursor", "since"):
        if key in kwargs:
            runtime[key] = kwargs.pop(key)
    return kwargs, runtime


def make_options(options: dict[str, Any], idle_timeout: float | None) -> SubscriptionOptions:
    """The options of one subscription; an unknown option is a ``TypeError`` naming it."""
    unknown = sorted(set(options) - {"cursor", "since", *RUNTIME_OPTIONS})
    if unknown:
        raise TypeError(f"unexpected subscription option(s): {', '.join(unknown)}")
    options.setdefault("idle_timeout", idle_timeout)
    return SubscriptionOptions(**options)


def ws_opener(
    url: str,
    connect_kwargs: Mapping[str, Any] | None,
    options: dict[str, Any],
    api_key: str | None,
) -> Callable[[Callable[[StateChange], Any]], AsyncIterator[StreamEvent]]:
    """Validate now; return ``open(on_state_change)`` that starts the socket on whatever loop runs it.

    A WebSocket's liveness is checked with protocol pings (``ping_interval``, 20 s), so
    no data-frame idle timeout applies unless the caller passes ``idle_timeout``: a
    quiet stream whose upstream does not change is not a dead one.
    """
    target = check_url(url, ("ws", "wss", "http", "https"))
    if not target.startswith(("ws://", "wss://")):
        target = to_websocket_url(target)
    kwargs = check_connect_kwargs(connect_kwargs, api_key)
    opts = make_options(options, None)
    headers = runtime_headers(api_key, include_api_key_header=False)
    user_state = opts.on_state_change

    def open_stream(on_state: Callable[[StateChange], Any]) -> AsyncIterator[StreamEvent]:
        def relay(change: StateChange) -> None:
            on_state(change)
            if user_state is not None and user_state is not on_state:
                user_state(change)

        return aiter_websocket(target, opts, headers, connect_kwargs=kwargs, on_state_change=relay)

    return open_stream
