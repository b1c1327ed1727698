"""``AsyncRestlessStreamClient``: the asynchronous twin of :class:`~specwire.restless.client.RestlessStreamClient`.

Same options, same methods (coroutines and async generators), same REST
operations (:mod:`specwire.restless._ops`), transport
(:mod:`specwire.restless.transport`) and subscriptions
(:mod:`specwire.restless.streams`); WebSocket subscriptions run on the caller's
event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping
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
    aiter_sse,
    check_url,
    make_options,
    split_direct,
    ws_opener,
)
from specwire.restless.transport import (
    DEFAULT_API_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    async_rest_client,
    async_stream_client,
    check_settings,
    connect_timeout,
)
from specwire.restless.urls import DEFAULT_STREAM_BASE_URL, build_direct_sse_url, build_direct_websocket_url
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

__all__ = ["AsyncRestlessStreamClient"]


class AsyncRestlessStreamClient:
    """Asynchronous twin of :class:`RestlessStreamClient`: same options, same methods, awaited."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_API_BASE_URL,
        stream_base_url: str = DEFAULT_STREAM_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        check_api_key(api_key)
        check_settings(base_url, stream_base_url, timeout)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise ConfigurationError(
                f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}"
            )
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
            self._http: httpx.AsyncClient = async_rest_client(
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
        self._stream_http: httpx.AsyncClient | None = None
        self._gen = GenClient(base_url=str(self._http.base_url) or self.base_url)
        self._gen.set_async_httpx_client(self._http)
        self.streams = AsyncStreams(self)

    def __repr__(self) -> str:
        return f"AsyncRestlessStreamClient(base_url={self.base_url!r}, api_key={'***' if self._api_key else None})"

    async def aclose(self) -> None:
        """Close the owned HTTP clients (a caller's ``http_client`` stays open)."""
        if self._stream_http is not None:
            await self._stream_http.aclose()
            self._stream_http = None
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _run(self, call: Call) -> Any:
        try:
            response = await call.op.asyncio_detailed(client=self._gen, **call.kwargs)
        except httpx.TransportError as exc:
            raise family.from_transport_exception(exc) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise parse_failure(call, exc) from exc
        return check_result(call, response, self._http.base_url)

    def _sse_client(self) -> httpx.AsyncClient:
        if not self._owns_http:
            return self._http
        if self._stream_http is None:
            self._stream_http = async_stream_client(timeout=self.timeout, transport=self._transport)
        return self._stream_http

    async def list_streams(self, *, limit: int = 20, offset: int = 0) -> StreamsResponse:
        return await self._run(self._ops.list_streams(limit, offset))  # type: ignore[no-any-return]

    async def get_stream(self, stream_id: str) -> Stream:
        return await self._run(self._ops.get_stream(stream_id))  # type: ignore[no-any-return]

    async def create_stream(self, data: Any = None, **kwargs: Any) -> Stream:
        return await self._run(self._ops.create_stream(data, kwargs))  # type: ignore[no-any-return]

    async def update_stream(self, stream_id: str, data: Any = None, **kwargs: Any) -> Stream:
        return await self._run(self._ops.update_stream(stream_id, data, kwargs))  # type: ignore[no-any-return]

    async def start_stream(self, stream_id: str) -> Stream:
        return await self._run(self._ops.start_stream(stream_id))  # type: ignore[no-any-return]

    async def stop_stream(self, stream_id: str) -> Stream:
        return await self._run(self._ops.stop_stream(stream_id))  # type: ignore[no-any-return]

    async def delete_stream(self, stream_id: str) -> BaseActionResponse:
        return await self._run(self._ops.delete_stream(stream_id))  # type: ignore[no-any-return]

    async def validate_stream_api_key(self, api_key: str | None = None) -> BaseActionResponse:
        return await self._run(self._ops.validate_stream_api_key(api_key))  # type: ignore[no-any-return]

    async def credit_usage_stats(self, stream_id: str) -> StreamCreditUsageStats:
        return await self._run(self._ops.credit_usage_stats(stream_id))  # type: ignore[no-any-return]

    async def connection_snippets(self, data: Any = None, **kwargs: Any) -> ConnectionSnippetsResponse:
        return await self._run(self._ops.connection_snippets(data, kwargs))  # type: ignore[no-any-return]

    async def direct_setup(self, data: Any = None, **kwargs: Any) -> DirectSetupResponse:
        return await self._run(self._ops.direct_setup(data, kwargs))  # type: ignore[no-any-return]

    async def direct_session(self, data: Any = None, **kwargs: Any) -> DirectSessionResponse:
        return await self._run(self._ops.direct_session(data, kwargs))  # type: ignore[no-any-return]

    def subscribe_sse(self, url: str, **options: Any) -> AsyncIterator[StreamEvent]:
        """Async generator of the typed events of an SSE runtime URL (see the sync twin for options)."""
        target = check_url(url, ("http", "https"))
        opts = make_options(options, self.idle_timeout)
        return aiter_sse(
            self._sse_client(),
            target,
            opts,
            runtime_headers(self._api_key, include_api_key_header=self._owns_http),
            connect_timeout=connect_timeout(self.timeout),
        )

    def subscribe_direct_sse(
        self, *, stream_base_url: str | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        inputs, runtime = split_direct(dict(kwargs))
        url = build_direct_sse_url(stream_base_url=stream_base_url or self.stream_base_url, **inputs)
        return self.subscribe_sse(url, **runtime)

    def subscribe_websocket(
        self, url: str, *, connect_kwargs: Mapping[str, Any] | None = None, **options: Any
    ) -> AsyncIterator[StreamEvent]:
        """Async generator of the typed events of a WebSocket runtime URL (receive-only).

        Same options as :meth:`subscribe_sse`, plus ``connect_kwargs`` for
        ``websockets.connect`` (without header options when the client has a key).
        """
        opener = ws_opener(url, connect_kwargs, options, self._api_key)
        return opener(_ignore_state)

    def subscribe_direct_websocket(
        self,
        *,
        stream_base_url: str | None = None,
        connect_kwargs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamEvent]:
        inputs, runtime = split_direct(dict(kwargs))
        url = build_direct_websocket_url(stream_base_url=stream_base_url or self.stream_base_url, **inputs)
        return self.subscribe_websocket(url, connect_kwargs=connect_kwargs, **runtime)


def _ignore_state(_change: StateChange) -> None:
    return None


class AsyncStreams:
    """``client.streams.*`` of the async client."""

    def __init__(self, client: AsyncRestlessStreamClient) -> None:
        self._c = client

    def list(self, *, limit: int = 20, offset: int = 0) -> Awaitable[StreamsResponse]:
        return self._c.list_streams(limit=limit, offset=offset)

    def get(self, stream_id: str) -> Awaitable[Stream]:
        return self._c.get_stream(stream_id)

    def create(self, data: Any = None, **kwargs: Any) -> Awaitable[Stream]:
        return self._c.create_stream(data, **kwargs)

    def update(self, stream_id: str, data: Any = None, **kwargs: Any) -> Awaitable[Stream]:
        return self._c.update_stream(stream_id, data, **kwargs)

    def start(self, stream_id: str) -> Awaitable[Stream]:
        return self._c.start_stream(stream_id)

    def stop(self, stream_id: str) -> Awaitable[Stream]:
        return self._c.stop_stream(stream_id)

    def delete(self, stream_id: str) -> Awaitable[BaseActionResponse]:
        return self._c.delete_stream(stream_id)

    def validate_api_key(self, api_key: str | None = None) -> Awaitable[BaseActionResponse]:
        return self._c.validate_stream_api_key(api_key)

    def credit_usage_stats(self, stream_id: str) -> Awaitable[StreamCreditUsageStats]:
        return self._c.credit_usage_stats(stream_id)

    def connection_snippets(self, data: Any = None, **kwargs: Any) -> Awaitable[ConnectionSnippetsResponse]:
        return self._c.connection_snippets(data, **kwargs)

    def direct_setup(self, data: Any = None, **kwargs: Any) -> Awaitable[DirectSetupResponse]:
        return self._c.direct_setup(data, **kwargs)

    def direct_session(self, data: Any = None, **kwargs: Any) -> Awaitable[DirectSessionResponse]:
        return self._c.direct_session(data, **kwargs)

    def subscribe_sse(self, url: str, **options: Any) -> AsyncIterator[StreamEvent]:
        return self._c.subscribe_sse(url, **options)

    def subscribe_direct_sse(self, **kwargs: Any) -> AsyncIterator[StreamEvent]:
        return self._c.subscribe_direct_sse(**kwargs)

    def subscribe_websocket(self, url: str, **options: Any) -> AsyncIterator[StreamEvent]:
        return self._c.subscribe_websocket(url, **options)

    def subscribe_direct_websocket(self, **kwargs: Any) -> AsyncIterator[StreamEvent]:
        return self._c.subscribe_direct_websocket(**kwargs)
