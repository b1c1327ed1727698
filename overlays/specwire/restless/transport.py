"""Builds the Restless Stream httpx clients on :mod:`specwire.core.http`: base URL, timeouts, retries, errors.

Each facade owns up to two clients:

* the **REST** client (:func:`rest_client` / :func:`async_rest_client`): ``x-api-key``
  auth (:mod:`specwire.restless.auth`), redacted logging, typed errors of the
  Restless family, and :func:`retry_policy`;
* the **stream** client (:func:`stream_client` / :func:`async_stream_client`) of SSE
  subscriptions: a plain httpx client on purpose. The SSE core must see raw httpx
  transport errors and error responses to decide on reconnects (the REST client
  turns both into typed errors), and no request-level retries may stack under its
  own; streams have their own ``idle_timeout``, so the REST read timeout never kills
  a quiet stream.

Both share one verified TLS context. Restless publishes no rate limits, so there is
no client-side limiter.
"""

from __future__ import annotations

from typing import Any

import httpx

from specwire.core.errors import ConfigurationError
from specwire.core.http import USER_AGENT, HTTPConfig, build_async_client, build_client, shared_ssl_context
from specwire.core.logging import alog_request, alog_response, log_request, log_response
from specwire.core.retry import RetryPolicy
from specwire.restless.auth import api_key_auth
from specwire.restless.errors import family

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "async_rest_client",
    "async_stream_client",
    "check_settings",
    "connect_timeout",
    "rest_client",
    "retry_policy",
    "stream_client",
]

DEFAULT_API_BASE_URL = "https://api.restlessapi.stream"
#: Seconds; the REST timeout (also the stream client's, whose read timeout the SSE core overrides).
DEFAULT_TIMEOUT = 30.0
#: Re-sends of one safe REST request after its first attempt.
DEFAULT_MAX_RETRIES = 2


def retry_policy() -> RetryPolicy:
    """What may be sent again: the core's default policy, which fits this API as it is.

    Reads (``GET``) are retried on 408, 429, 500, 502, 503, 504 and dropped connections, with jittered
    backoff, honouring ``Retry-After``. Creates, updates, start/stop, deletes and the
    other ``POST`` endpoints are re-sent only when the connection was never established:
    the API takes no idempotency key, so re-sending a request that may have arrived could
    create a second stream.
    """
    return RetryPolicy()


def check_settings(base_url: Any, stream_base_url: Any, timeout: Any) -> None:
    """Reject bad URLs and timeouts with a :class:`ConfigurationError` before any client exists."""
    for name, value in (("base_url", base_url), ("stream_base_url", stream_base_url)):
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{name} must be a non-empty URL string, got {value!r}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float | httpx.Timeout)
        or (isinstance(timeout, int | float) and timeout <= 0)
    ):
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")


def connect_timeout(timeout: float | httpx.Timeout) -> float | None:
    """The connect timeout of an SSE (re)connect, from the client's ``timeout``."""
    return timeout.connect if isinstance(timeout, httpx.Timeout) else float(timeout)


def _sync_transport(transport: httpx.BaseTransport | None) -> httpx.BaseTransport:
    return transport if transport is not None else httpx.HTTPTransport(verify=shared_ssl_context())


def _async_transport(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncBaseTransport:
    return transport if transport is not None else httpx.AsyncHTTPTransport(verify=shared_ssl_context())


def _rest_config(
    base_url: str,
    timeout: float | httpx.Timeout,
    max_retries: int,
    api_key: str | None,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport,
) -> HTTPConfig:
    return HTTPConfig(
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        retry_policy=retry_policy(),
        auth=api_key_auth(api_key),
        error_family=family,
        transport=transport,
    )


def rest_client(
    *,
    base_url: str,
    timeout: float | httpx.Timeout,
    max_retries: int,
    api_key: str | None,
    transport: httpx.BaseTransport | None,
) -> httpx.Client:
    """The owned REST client; ``transport`` replaces the network layer (tests)."""
    return build_client(_rest_config(base_url, timeout, max_retries, api_key, _sync_transport(transport)))


def async_rest_client(
    *,
    base_url: str,
    timeout: float | httpx.Timeout,
    max_retries: int,
    api_key: str | None,
    transport: httpx.AsyncBaseTransport | None,
) -> httpx.AsyncClient:
    """Async twin of :func:`rest_client`."""
    return build_async_client(
        _rest_config(base_url, timeout, max_retries, api_key, _async_transport(transport))
    )


def stream_client(*, timeout: float | httpx.Timeout, transport: httpx.BaseTransport | None) -> httpx.Client:
    """The owned client of SSE subscriptions (plain: see the module docstring)."""
    return httpx.Client(
        timeout=timeout,
        transport=_sync_transport(transport),
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [log_request], "response": [log_response]},
    )


def async_stream_client(
    *, timeout: float | httpx.Timeout, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """Async twin of :func:`stream_client`."""
    return httpx.AsyncClient(
        timeout=timeout,
        transport=_async_transport(transport),
        headers={"User-Agent": USER_AGENT},
        event_hooks={"request": [alog_request], "response": [alog_response]},
    )
