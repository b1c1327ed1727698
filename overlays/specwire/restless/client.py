"""``RestlessStreamClient`` and ``AsyncRestlessStreamClient``: the official SDK's API on our stack.

Both clients offer the same methods (the async ones are coroutines / async
generators) under the official SDK's names, top-level and on ``client.streams``.
REST calls go through the generated client (``specwire_gen.restless``) on an
httpx client built by :mod:`specwire.core.http` — ``x-api-key`` auth, retries of
safe requests, redacted logging, and typed errors of the Restless family
(:class:`~specwire.restless.errors.RestlessStreamAPIError` and, by meaning,
``NotFoundError``, ``RateLimitError``, ...). Responses are the generated attrs
models; stream events are the generated msgspec ``StreamEvent``.

Subscriptions use their own httpx client with its own timeouts, so the REST
read timeout never kills a quiet stream.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import ModuleType, TracebackType
from typing import Any, Self, TypeVar

import attrs
import httpx
from specwire_gen.restless.api.streams import (
    connection_snippets as op_connection_snippets,
)
from specwire_gen.restless.api.streams import (
    create_stream as op_create_stream,
)
from specwire_gen.restless.api.streams import (
    credit_usage_stats as op_credit_usage_stats,
)
from specwire_gen.restless.api.streams import (
    delete_stream as op_delete_stream,
)
from specwire_gen.restless.api.streams import (
    direct_session as op_direct_session,
)
from specwire_gen.restless.api.streams import (
    direct_setup as op_direct_setup,
)
from specwire_gen.restless.api.streams import (
    get_stream as op_get_stream,
)
from specwire_gen.restless.api.streams import (
    list_streams as op_list_streams,
)
from specwire_gen.restless.api.streams import (
    start_stream as op_start_stream,
)
from specwire_gen.restless.api.streams import (
    stop_stream as op_stop_stream,
)
from specwire_gen.restless.api.streams import (
    update_stream as op_update_stream,
)
from specwire_gen.restless.api.streams import (
    validate_stream_api_key as op_validate_stream_api_key,
)
from specwire_gen.restless.client import Client as GenClient
from specwire_gen.restless.models.base_action_response import BaseActionResponse
from specwire_gen.restless.models.connection_snippets_request import ConnectionSnippetsRequest
from specwire_gen.restless.models.connection_snippets_response import ConnectionSnippetsResponse
from specwire_gen.restless.models.direct_session_request import DirectSessionRequest
from specwire_gen.restless.models.direct_session_response import DirectSessionResponse
from specwire_gen.restless.models.direct_setup_request import DirectSetupRequest
from specwire_gen.restless.models.direct_setup_response import DirectSetupResponse
from specwire_gen.restless.models.stream import Stream
from specwire_gen.restless.models.stream_create_request import StreamCreateRequest
from specwire_gen.restless.models.stream_credit_usage_stats import StreamCreditUsageStats
from specwire_gen.restless.models.stream_update_request import StreamUpdateRequest
from specwire_gen.restless.models.streams_response import StreamsResponse
from specwire_gen.restless.models.validate_api_key_request import ValidateApiKeyRequest
from specwire_gen.restless.stream_models import StreamEvent

from specwire.core.auth import APIKeyAuth
from specwire.core.errors import ConfigurationError
from specwire.core.http import USER_AGENT, HTTPConfig, build_async_client, build_client
from specwire.core.logging import alog_request, alog_response, log_request, log_response
from specwire.core.redact import register_secret
from specwire.restless.bodies import build_body, inject_api_key
from specwire.restless.errors import RestlessStreamAPIError, family
from specwire.restless.subscriptions import (
    DEFAULT_IDLE_TIMEOUT,
    SubscriptionOptions,
    aiter_sse,
    aiter_websocket,
    check_connect_kwargs,
    check_url,
    iter_sse,
    runtime_headers,
)
from specwire.restless.urls import (
    DEFAULT_API_BASE_URL,
    DEFAULT_STREAM_BASE_URL,
    build_direct_sse_url,
    build_direct_websocket_url,
    to_websocket_url,
)
from specwire.streaming.runner import StreamHandle
from specwire.streaming.state import StateChange

__all__ = ["AsyncRestlessStreamClient", "RestlessStreamClient"]

T = TypeVar("T")

#: Options of a subscription that are not part of a direct stream's inputs.
_RUNTIME_OPTIONS = (
    "reconnect",
    "max_reconnects",
    "retry_seconds",
    "idle_timeout",
    "verify_signatures",
    "signed_payload",
    "raise_parse_errors",
    "on_state_change",
)


@functools.cache
def _shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context per process, shared by every Restless client and stream.

    Loading the CA bundle costs tens of milliseconds; a client owns two httpx
    clients (REST and streams) and apps often create several clients.
    ``SSLContext`` is safe to share between threads and event loops.
    """
    return httpx.create_ssl_context()


def _sync_transport(transport: httpx.BaseTransport | None) -> httpx.BaseTransport:
    return transport if transport is not None else httpx.HTTPTransport(verify=_shared_ssl_context())


def _async_transport(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncBaseTransport:
    return transport if transport is not None else httpx.AsyncHTTPTransport(verify=_shared_ssl_context())


# -- argument preparation (shared by both twins; raises before anything is sent) ----------------


@attrs.frozen
class _Call:
    """One REST operation, ready to run: generated module, its arguments, the expected result."""

    op: ModuleType
    kwargs: dict[str, Any]
    method: str
    path: str
    result: type


def _check_id(value: Any, argument: str = "stream_id") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{argument} must be a non-empty string, got {value!r}")
    return value


def _check_int(value: Any, argument: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{argument} must be an integer >= {minimum}, got {value!r}")
    return value


def _from_dict(model: Any, body: dict[str, Any], operation: str) -> Any:
    """Build the generated request model; a missing required field is named."""
    try:
        return model.from_dict(body)
    except KeyError as exc:
        raise ValueError(f"{operation}: missing required field {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise TypeError(f"{operation}: invalid request body ({exc})") from None


def _require(body: dict[str, Any], field: str, operation: str) -> None:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{operation}: {field} must be a non-empty string, got {value!r}")


class _Ops:
    """Builds every REST call from the caller's arguments (validation included)."""

    def __init__(self, api_key: str | None) -> None:
        self.api_key = api_key

    def list_streams(self, limit: int, offset: int) -> _Call:
        kwargs = {"limit": _check_int(limit, "limit", 1), "offset": _check_int(offset, "offset", 0)}
        return _Call(op_list_streams, kwargs, "GET", "/streams", StreamsResponse)

    def get_stream(self, stream_id: str) -> _Call:
        sid = _check_id(stream_id)
        return _Call(op_get_stream, {"stream_id": sid}, "GET", f"/streams/{sid}", Stream)

    def create_stream(self, data: Any, kwargs: dict[str, Any]) -> _Call:
        body = inject_api_key(build_body(data, **kwargs), self.api_key)
        model = _from_dict(StreamCreateRequest, body, "create_stream")
        return _Call(op_create_stream, {"body": model}, "POST", "/streams", Stream)

    def update_stream(self, stream_id: str, data: Any, kwargs: dict[str, Any]) -> _Call:
        sid = _check_id(stream_id)
        body = inject_api_key(build_body(data, **kwargs), self.api_key)
        model = _from_dict(StreamUpdateRequest, body, "update_stream")
        return _Call(op_update_stream, {"stream_id": sid, "body": model}, "PATCH", f"/streams/{sid}", Stream)

    def start_stream(self, stream_id: str) -> _Call:
        sid = _check_id(stream_id)
        return _Call(op_start_stream, {"stream_id": sid}, "POST", f"/streams/{sid}/start", Stream)

    def stop_stream(self, stream_id: str) -> _Call:
        sid = _check_id(stream_id)
        return _Call(op_stop_stream, {"stream_id": sid}, "POST", f"/streams/{sid}/stop", Stream)

    def delete_stream(self, stream_id: str) -> _Call:
        sid = _check_id(stream_id)
        return _Call(op_delete_stream, {"stream_id": sid}, "DELETE", f"/streams/{sid}", BaseActionResponse)

    def validate_stream_api_key(self, api_key: str | None) -> _Call:
        if api_key is not None and not isinstance(api_key, str):
            raise TypeError(f"api_key must be a string, got {type(api_key).__name__}")
        key = api_key or self.api_key
        if key:
            register_secret(key)
        body = ValidateApiKeyRequest(api_key=key)
        return _Call(
            op_validate_stream_api_key,
            {"body": body},
            "POST",
            "/streams/validate-api-key",
            BaseActionResponse,
        )

    def credit_usage_stats(self, stream_id: str) -> _Call:
        sid = _check_id(stream_id)
        return _Call(
            op_credit_usage_stats,
            {"stream_id": sid},
            "GET",
            f"/streams/{sid}/credit-usage-stats",
            StreamCreditUsageStats,
        )

    def connection_snippets(self, data: Any, kwargs: dict[str, Any]) -> _Call:
        body = build_body(data, **kwargs)
        model = _from_dict(ConnectionSnippetsRequest, body, "connection_snippets")
        return _Call(
            op_connection_snippets,
            {"body": model},
            "POST",
            "/streams/connection-snippets",
            ConnectionSnippetsResponse,
        )

    def direct_setup(self, data: Any, kwargs: dict[str, Any]) -> _Call:
        body = build_body(data, **kwargs)
        _require(body, "url", "direct_setup")
        model = _from_dict(DirectSetupRequest, body, "direct_setup")
        return _Call(op_direct_setup, {"body": model}, "POST", "/streams/direct/setup", DirectSetupResponse)

    def direct_session(self, data: Any, kwargs: dict[str, Any]) -> _Call:
        body = build_body(data, **kwargs)
        _require(body, "url", "direct_session")
        model = _from_dict(DirectSessionRequest, body, "direct_session")
        return _Call(
            op_direct_session, {"body": model}, "POST", "/streams/direct/sessions", DirectSessionResponse
        )


def _check_result(call: _Call, response: Any, base_url: httpx.URL) -> Any:
    """Turn the generated ``Response`` into the model, or the Restless error it stands for.

    Our own httpx client already raised for non-2xx; this covers a caller-supplied
    ``http_client`` (which does not) and 2xx answers without a usable body.
    """
    status = int(response.status_code)
    parsed = response.parsed
    if status >= 400 or not isinstance(parsed, call.result):
        raw = httpx.Response(
            status,
            headers=response.headers,
            content=response.content,
            request=httpx.Request(call.method, base_url.join(call.path)),
        )
        if status >= 400:
            raise family.from_response(raw)
        raise family.from_status(
            status,
            f"expected a {call.result.__name__} body, got HTTP {status} with {len(response.content)} bytes",
            body=response.content,
            request=raw.request,
        )
    return parsed


def _parse_failure(call: _Call, exc: Exception) -> RestlessStreamAPIError:
    err = RestlessStreamAPIError(
        None,
        f"{call.method} {call.path}: response does not match the {call.result.__name__} schema ({exc!r})",
    )
    err.__cause__ = exc
    return err


def _split_direct(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Direct-stream inputs (to the URL builder) vs runtime options (to the subscription)."""
    runtime = {k: kwargs.pop(k) for k in _RUNTIME_OPTIONS if k in kwargs}
    for key in ("cursor", "since"):
        if key in kwargs:
            runtime[key] = kwargs.pop(key)
    return kwargs, runtime


def _check_client_args(api_key: Any, base_url: Any, stream_base_url: Any, timeout: Any) -> None:
    if api_key is not None and (not isinstance(api_key, str) or not api_key.strip()):
        raise ConfigurationError("api_key must be a non-empty string or None")
    for name, value in (("base_url", base_url), ("stream_base_url", stream_base_url)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{name} must be a non-empty URL string, got {value!r}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float | httpx.Timeout)
        or (isinstance(timeout, int | float) and timeout <= 0)
    ):
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")


def _connect_timeout(timeout: float | httpx.Timeout) -> float | None:
    return timeout.connect if isinstance(timeout, httpx.Timeout) else float(timeout)


# -- sync ---------------------------------------------------------------------------------------


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
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.Client | None = None,
        max_retries: int = 2,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        _check_client_args(api_key, base_url, stream_base_url, timeout)
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
        self._ops = _Ops(api_key)
        if http_client is None:
            self._http: httpx.Client = build_client(
                HTTPConfig(
                    base_url=self.base_url,
                    timeout=timeout,
                    max_retries=max_retries,
                    auth=APIKeyAuth(api_key) if api_key else None,
                    error_family=family,
                    transport=_sync_transport(transport),
                )
            )
            self._owns_http = True
        else:
            if api_key:
                http_client.headers.setdefault("x-api-key", api_key)
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

    def _run(self, call: _Call) -> Any:
        try:
            response = call.op.sync_detailed(client=self._gen, **call.kwargs)
        except httpx.TransportError as exc:
            raise family.from_transport_exception(exc) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _parse_failure(call, exc) from exc
        return _check_result(call, response, self._http.base_url)

    def _sse_client(self) -> httpx.Client:
        """The httpx client of SSE subscriptions.

        A plain client on purpose: the SSE core must see raw httpx transport errors
        and error responses to decide on reconnects (the REST client turns both
        into typed errors), and no request-level retries stack under its own.
        """
        if not self._owns_http:
            return self._http
        if self._stream_http is None:
            self._stream_http = httpx.Client(
                timeout=self.timeout,
                transport=_sync_transport(self._transport),
                headers={"User-Agent": USER_AGENT},
                event_hooks={"request": [log_request], "response": [log_response]},
            )
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
            connect_timeout=_connect_timeout(self.timeout),
        )

    def subscribe_direct_sse(
        self, *, stream_base_url: str | None = None, **kwargs: Any
    ) -> Iterator[StreamEvent]:
        """Build a direct SSE URL from the direct-stream inputs and subscribe to it."""
        inputs, runtime = _split_direct(dict(kwargs))
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
        inputs, runtime = _split_direct(dict(kwargs))
        url = build_direct_websocket_url(stream_base_url=stream_base_url or self.stream_base_url, **inputs)
        return self.subscribe_websocket(url, connect_kwargs=connect_kwargs, **runtime)

    def _options(self, options: dict[str, Any]) -> SubscriptionOptions:
        return _make_options(options, self.idle_timeout)

    def _ws_opener(
        self, url: str, connect_kwargs: Mapping[str, Any] | None, options: dict[str, Any]
    ) -> Callable[[Callable[[StateChange], Any]], AsyncIterator[StreamEvent]]:
        return _ws_opener(url, connect_kwargs, options, self._api_key)


def _make_options(options: dict[str, Any], idle_timeout: float | None) -> SubscriptionOptions:
    unknown = sorted(set(options) - {"cursor", "since", *_RUNTIME_OPTIONS})
    if unknown:
        raise TypeError(f"unexpected subscription option(s): {', '.join(unknown)}")
    options.setdefault("idle_timeout", idle_timeout)
    return SubscriptionOptions(**options)


def _ws_opener(
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
    opts = _make_options(options, None)
    headers = runtime_headers(api_key, include_api_key_header=False)
    user_state = opts.on_state_change

    def open_stream(on_state: Callable[[StateChange], Any]) -> AsyncIterator[StreamEvent]:
        def relay(change: StateChange) -> None:
            on_state(change)
            if user_state is not None and user_state is not on_state:
                user_state(change)

        return aiter_websocket(target, opts, headers, connect_kwargs=kwargs, on_state_change=relay)

    return open_stream


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


# -- async --------------------------------------------------------------------------------------


class AsyncRestlessStreamClient:
    """Asynchronous twin of :class:`RestlessStreamClient`: same options, same methods, awaited."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str = DEFAULT_API_BASE_URL,
        stream_base_url: str = DEFAULT_STREAM_BASE_URL,
        timeout: float | httpx.Timeout = 30.0,
        http_client: httpx.AsyncClient | None = None,
        max_retries: int = 2,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        _check_client_args(api_key, base_url, stream_base_url, timeout)
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
        self._ops = _Ops(api_key)
        if http_client is None:
            self._http: httpx.AsyncClient = build_async_client(
                HTTPConfig(
                    base_url=self.base_url,
                    timeout=timeout,
                    max_retries=max_retries,
                    auth=APIKeyAuth(api_key) if api_key else None,
                    error_family=family,
                    transport=_async_transport(transport),
                )
            )
            self._owns_http = True
        else:
            if api_key:
                http_client.headers.setdefault("x-api-key", api_key)
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

    async def _run(self, call: _Call) -> Any:
        try:
            response = await call.op.asyncio_detailed(client=self._gen, **call.kwargs)
        except httpx.TransportError as exc:
            raise family.from_transport_exception(exc) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _parse_failure(call, exc) from exc
        return _check_result(call, response, self._http.base_url)

    def _sse_client(self) -> httpx.AsyncClient:
        if not self._owns_http:
            return self._http
        if self._stream_http is None:
            self._stream_http = httpx.AsyncClient(
                timeout=self.timeout,
                transport=_async_transport(self._transport),
                headers={"User-Agent": USER_AGENT},
                event_hooks={"request": [alog_request], "response": [alog_response]},
            )
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
        opts = _make_options(options, self.idle_timeout)
        return aiter_sse(
            self._sse_client(),
            target,
            opts,
            runtime_headers(self._api_key, include_api_key_header=self._owns_http),
            connect_timeout=_connect_timeout(self.timeout),
        )

    def subscribe_direct_sse(
        self, *, stream_base_url: str | None = None, **kwargs: Any
    ) -> AsyncIterator[StreamEvent]:
        inputs, runtime = _split_direct(dict(kwargs))
        url = build_direct_sse_url(stream_base_url=stream_base_url or self.stream_base_url, **inputs)
        return self.subscribe_sse(url, **runtime)

    def subscribe_websocket(
        self, url: str, *, connect_kwargs: Mapping[str, Any] | None = None, **options: Any
    ) -> AsyncIterator[StreamEvent]:
        """Async generator of the typed events of a WebSocket runtime URL (receive-only).

        Same options as :meth:`subscribe_sse`, plus ``connect_kwargs`` for
        ``websockets.connect`` (without header options when the client has a key).
        """
        opener = _ws_opener(url, connect_kwargs, options, self._api_key)
        return opener(_ignore_state)

    def subscribe_direct_websocket(
        self,
        *,
        stream_base_url: str | None = None,
        connect_kwargs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[StreamEvent]:
        inputs, runtime = _split_direct(dict(kwargs))
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
