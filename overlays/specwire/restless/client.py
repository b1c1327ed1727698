"""``RestlessStreamClient``: the official SDK's synchronous client on our stack (async twin: ``async_client``).

The official SDK's methods under its names, top-level and on ``client.streams``.
REST calls are built and checked by :mod:`specwire.restless._ops` and sent through
the generated client (``specwire_gen.restless``) on the httpx client of
:mod:`specwire.restless.transport` — ``x-api-key`` auth, retries of safe requests,
redacted logging, and typed errors of the Restless family
(:class:`~specwire.restless.errors.RestlessStreamAPIError` and, by meaning,
``NotFoundError``, ``RateLimitError``, ...). Responses are the generated attrs
models; stream events are the generated msgspec ``StreamEvent``.

Subscriptions (:mod:`specwire.restless.streams`) use their own httpx client with
their own timeouts, so the REST read timeout never kills a quiet stream; the
WebSocket runs on a background loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx
from specwire_gen.restless.client import Client as GenClient

from specwire.core.errors import ConfigurationError
from specwire.core.redact import register_secret
from specwire.restless._ops import Call, Ops, check_result, parse_failure
from specwire.restless.auth import add_api_key_header, check_api_key, runtime_headers
from specwire.restless.errors import family
from specwire.restless.streams.subscriptions import (
    DEFAULT_IDLE_TIMEOUT,
    SubscriptionOptions,
    check_url,
    iter_sse,
    make_options,
    split_direct,
    ws_opener,
)
from specwire.restless.transport import (
    DEFAULT_API_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    check_settings,
    connect_timeout,
    rest_client,
    stream_client,
)
from specwire.restless.urls import DEFAULT_STREAM_BASE_URL, build_direct_sse_url, build_direct_websocket_url
from specwire.streaming.runner import StreamHandle
from specwire.streaming.state import StateChange

if TYPE_CHECKING:
    from specwire.restless.models import (
        BaseActionResponse,
        ConnectionSnippetsResponse,
        DirectSessionResponse,
        DirectSetupResponse,
        Stream,
        StreamCreditUsageStats,
        StreamEvent,
        StreamsResponse,
    )

__all__ = ["RestlessStreamClient"]


class RestlessStreamClient:
    """Synchronous Restless Stream client: REST, SSE, and WebSocket (on a background loop).

    ``api_key`` goes out as ``x-api-key`` on REST and ``Authorization: Bearer`` on
    runtime requests. A supplied ``http_client`` is used as is for REST and SSE
    (its own ``base_url``; the key is added to its default headers unless it has one)
    and is not closed by :meth:`close`. ``max_retries`` applies to safe REST
    requests of the owned client; ``transport`` replaces its network layer (tests).
    ``idle_timeout`` is how long an SSE stream may stay silent (not even a comment
    heartbeat) before it reconnects; it is independent of the REST ``timeout``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_API_BASE_URL,
        stream_base_url: str = DEFAULT_STREAM_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        check_api_key(api_key)
        check_settings(base_url, stream_base_url, timeout)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(f"http_client must be an httpx.Client, got {type(http_client).__name__}")
        if api_key:
            register_secret(api_key)
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.stream_base_url = stream_base_url.rstrip("/")
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        self._transport = transport
        self._ops = Ops(api_key)
        if http_client is None:
            self._http: httpx.Client = rest_client(
                base_url=self.base_url,
                timeout=timeout,
                max_retries=max_retries,
                api_key=api_key,
                transport=transport,
            )
            self._owns_http = True
        else:
            add_api_key_header(http_client, api_key)
            self._http = http_client
            self._owns_http = False
        self._stream_http: httpx.Client | None = None
        self._gen = GenClient(base_url=str(self._http.base_url) or self.base_url)
        self._gen.set_httpx_client(self._http)
        self.streams = Streams(self)

    def __repr__(self) -> str:
        return f"RestlessStreamClient(base_url={self.base_url!r}, api_key={'***' if self._api_key else None})"

    # -- lifecycle

    def close(self) -> None:
        """Close the owned HTTP clients (a caller's ``http_client`` stays open)."""
        if self._stream_http is not None:
            self._stream_http.close()
            self._stream_http = None
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- plumbing

    def _run(self, call: Call) -> Any:
        try:
            response = call.op.sync_detailed(client=self._gen, **call.kwargs)
        except httpx.TransportError as exc:
            raise family.from_transport_exception(exc) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise parse_failure(call, exc) from exc
        return check_result(call, response, self._http.base_url)

    def _sse_client(self) -> httpx.Client:
        """The httpx client of SSE subscriptions.

        A plain client on purpose: the SSE core must see raw httpx transport errors
        and error responses to decide on reconnects (the REST client turns both
        into typed errors), and no request-level retries stack under its own.
        """
        if not self._owns_http:
            return self._http
        if self._stream_http is None:
            self._stream_http = stream_client(timeout=self.timeout, transport=self._transport)
        return self._stream_http

    # -- REST

    def list_streams(self, *, limit: int = 20, offset: int = 0) -> StreamsResponse:
        """List streams (``GET /streams``)."""
        return self._run(self._ops.list_streams(limit, offset))  # type: ignore[no-any-return]

    def get_stream(self, stream_id: str) -> Stream:
        """One stream (``GET /streams/{id}``)."""
        return self._run(self._ops.get_stream(stream_id))  # type: ignore[no-any-return]

    def create_stream(self, data: Any = None, **kwargs: Any) -> Stream:
        """Create a persisted stream from a mapping, a ``StreamCreateRequest`` and/or keyword arguments."""
        return self._run(self._ops.create_stream(data, kwargs))  # type: ignore[no-any-return]

    def update_stream(self, stream_id: str, data: Any = None, **kwargs: Any) -> Stream:
        """Patch a stream's configuration (only the fields given change)."""
        return self._run(self._ops.update_stream(stream_id, data, kwargs))  # type: ignore[no-any-return]

    def start_stream(self, stream_id: str) -> Stream:
        """Mark a stream active."""
        return self._run(self._ops.start_stream(stream_id))  # type: ignore[no-any-return]

    def stop_stream(self, stream_id: str) -> Stream:
        """Mark a stream inactive."""
        return self._run(self._ops.stop_stream(stream_id))  # type: ignore[no-any-return]

    def delete_stream(self, stream_id: str) -> BaseActionResponse:
        """Delete a stream."""
        return self._run(self._ops.delete_stream(stream_id))  # type: ignore[no-any-return]

    def validate_stream_api_key(self, api_key: str | None = None) -> BaseActionResponse:
        """Validate ``api_key`` (the client's own key when omitted)."""
        return self._run(self._ops.validate_stream_api_key(api_key))  # type: ignore[no-any-return]

    def credit_usage_stats(self, stream_id: str) -> StreamCreditUsageStats:
        """Credit usage totals and daily usage of a stream."""
        return self._run(self._ops.credit_usage_stats(stream_id))  # type: ignore[no-any-return]

    def connection_snippets(self, data: Any = None, **kwargs: Any) -> ConnectionSnippetsResponse:
        """Runtime URLs and code snippets for a managed stream (``stream_id=``, ``language=``)."""
        return self._run(self._ops.connection_snippets(data, kwargs))  # type: ignore[no-any-return]

    def direct_setup(self, data: Any = None, **kwargs: Any) -> DirectSetupResponse:
        """Commands, runtime URLs and snippets for a direct stream."""
        return self._run(self._ops.direct_setup(data, kwargs))  # type: ignore[no-any-return]

    def direct_session(self, data: Any = None, **kwargs: Any) -> DirectSessionResponse:
        """Create or reuse (``dedupe_key=``) a direct-stream session."""
        return self._run(self._ops.direct_session(data, kwargs))  # type: ignore[no-any-return]

    # -- streams

    def subscribe_sse(self, url: str, **options: Any) -> Iterator[StreamEvent]:
        """Iterate the typed events of an SSE runtime URL, resuming across reconnects.

        Options: ``cursor``, ``since``, ``reconnect=True``, ``max_reconnects=None``,
        ``retry_seconds=1.0`` (the official SDK's) and ``idle_timeout``,
        ``verify_signatures=<secret>``, ``signed_payload="data"``,
        ``raise_parse_errors=False``, ``on_state_change``. Invalid options raise here,
        before any connection is made.
        """
        target = check_url(url, ("http", "https"))
        opts = self._options(options)
        return iter_sse(
            self._sse_client(),
            target,
            opts,
            runtime_headers(self._api_key, include_api_key_header=self._owns_http),
            connect_timeout=connect_timeout(self.timeout),
        )

    def subscribe_direct_sse(
        self, *, stream_base_url: str | None = None, **kwargs: Any
    ) -> Iterator[StreamEvent]:
        """Build a direct SSE URL from the direct-stream inputs and subscribe to it."""
        inputs, runtime = split_direct(dict(kwargs))
        url = build_direct_sse_url(stream_base_url=stream_base_url or self.stream_base_url, **inputs)
        return self.subscribe_sse(url, **runtime)

    def subscribe_websocket(
        self, url: str, *, connect_kwargs: Mapping[str, Any] | None = None, **options: Any
    ) -> Iterator[StreamEvent]:
        """Sync twin of the async WebSocket subscription: the socket runs on a background loop.

        Closing the generator (or leaving the ``for`` loop) closes the socket.
        """
        opened = self._ws_opener(url, connect_kwargs, options)
        handle: StreamHandle[StreamEvent] = StreamHandle(opened, name="restless-ws")
        return iter(handle)

    def subscribe_direct_websocket(
        self,
        *,
        stream_base_url: str | None = None,
        connect_kwargs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Iterator[StreamEvent]:
        """Build a direct WebSocket URL from the direct-stream inputs and subscribe to it."""
        inputs, runtime = split_direct(dict(kwargs))
        url = build_direct_websocket_url(stream_base_url=stream_base_url or self.stream_base_url, **inputs)
        return self.subscribe_websocket(url, connect_kwargs=connect_kwargs, **runtime)

    def _options(self, options: dict[str, Any]) -> SubscriptionOptions:
        return make_options(options, self.idle_timeout)

    def _ws_opener(
        self, url: str, connect_kwargs: Mapping[str, Any] | None, options: dict[str, Any]
    ) -> Callable[[Callable[[StateChange], Any]], AsyncIterator[StreamEvent]]:
        return ws_opener(url, connect_kwargs, options, self._api_key)


class Streams:
    """``client.streams.*``: the same operations under the resource names of the official SDK."""

    def __init__(self, client: RestlessStreamClient) -> None:
        self._c = client

    def list(self, *, limit: int = 20, offset: int = 0) -> StreamsResponse:
        return self._c.list_streams(limit=limit, offset=offset)

    def get(self, stream_id: str) -> Stream:
        return self._c.get_stream(stream_id)

    def create(self, data: Any = None, **kwargs: Any) -> Stream:
        return self._c.create_stream(data, **kwargs)

    def update(self, stream_id: str, data: Any = None, **kwargs: Any) -> Stream:
        return self._c.update_stream(stream_id, data, **kwargs)

    def start(self, stream_id: str) -> Stream:
        return self._c.start_stream(stream_id)

    def stop(self, stream_id: str) -> Stream:
        return self._c.stop_stream(stream_id)

    def delete(self, stream_id: str) -> BaseActionResponse:
        return self._c.delete_stream(stream_id)

    def validate_api_key(self, api_key: str | None = None) -> BaseActionResponse:
        return self._c.validate_stream_api_key(api_key)

    def credit_usage_stats(self, stream_id: str) -> StreamCreditUsageStats:
        return self._c.credit_usage_stats(stream_id)

    def connection_snippets(self, data: Any = None, **kwargs: Any) -> ConnectionSnippetsResponse:
        return self._c.connection_snippets(data, **kwargs)

    def direct_setup(self, data: Any = None, **kwargs: Any) -> DirectSetupResponse:
        return self._c.direct_setup(data, **kwargs)

    def direct_session(self, data: Any = None, **kwargs: Any) -> DirectSessionResponse:
        return self._c.direct_session(data, **kwargs)

    def subscribe_sse(self, url: str, **options: Any) -> Iterator[StreamEvent]:
        return self._c.subscribe_sse(url, **options)

    def subscribe_direct_sse(self, **kwargs: Any) -> Iterator[StreamEvent]:
        return self._c.subscribe_direct_sse(**kwargs)

    def subscribe_websocket(self, url: str, **options: Any) -> Iterator[StreamEvent]:
        return self._c.subscribe_websocket(url, **options)

    def subscribe_direct_websocket(self, **kwargs: Any) -> Iterator[StreamEvent]:
        return self._c.subscribe_direct_websocket(**kwargs)
