"""Assemble the ``httpx`` clients that every provider facade hands to its generated client.

One place decides the stack, so all providers behave alike::

    SpecwireClient (raises typed errors for non-2xx, after auth had its say)
      └─ auth flow (API key / bearer token with one renewal on 401)
          └─ event hooks (logging with redaction)
              └─ RetryTransport (rate limit, per-call timeout, retries)
                  └─ httpx.HTTPTransport  (or cfg.transport, e.g. httpx.MockTransport in tests)

Errors are raised in :meth:`SpecwireClient.send` rather than in a response
event hook because httpx runs hooks *inside* the auth flow: a hook raising on
401 would pre-empt the bearer-token renewal. The generated code therefore
never sees an error status: it only parses successes (``gen.set_httpx_client(
build_client(cfg))``).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import httpx

from specwire import __version__
from specwire.core.errors import CORE_FAMILY, ConfigurationError, ErrorFamily
from specwire.core.logging import alog_request, alog_response, log_request, log_response
from specwire.core.options import TimeoutTypes, to_httpx_timeout
from specwire.core.ratelimit import RateLimiter
from specwire.core.redact import is_sensitive_name, register_secret
from specwire.core.retry import AsyncRetryTransport, BodyReadRetries, RetryPolicy, RetryTransport

__all__ = [
    "USER_AGENT",
    "AsyncSpecwireClient",
    "HTTPConfig",
    "SpecwireClient",
    "build_async_client",
    "build_client",
    "shared_ssl_context",
]

USER_AGENT = f"specwire/{__version__}"


def _check_base_url(_inst: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, str | httpx.URL):
        raise ConfigurationError(f"base_url must be a str, got {type(value).__name__}")
    try:
        url = httpx.URL(str(value))
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"base_url is not a valid URL: {value!r} ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {str(value)!r}")


def _check_timeout(_inst: object, _attr: object, value: TimeoutTypes) -> None:
    to_httpx_timeout(value)


def _check_max_retries(_inst: object, _attr: object, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ConfigurationError(f"max_retries must be an int >= 0, got {value!r}")


def _check_instance(kind: type | tuple[type, ...], what: str) -> Callable[[Any, Any, Any], None]:
    def check(_inst: Any, _attr: Any, value: Any) -> None:
        if value is not None and not isinstance(value, kind):
            raise ConfigurationError(f"{what}, got {type(value).__name__}")

    return check


@attrs.frozen
class HTTPConfig:
    """Everything a provider needs to say about its HTTP client.

    ``max_retries=None`` keeps the retry policy's own setting (2 by default);
    ``transport`` replaces the network transport (``httpx.MockTransport`` in
    tests) and still gets the retry/rate-limit wrapping; ``raise_for_status``
    can be turned off for raw access.
    """

    base_url: str = attrs.field(validator=_check_base_url, converter=str)
    timeout: TimeoutTypes = attrs.field(default=30.0, validator=_check_timeout)
    max_retries: int | None = attrs.field(default=None, validator=_check_max_retries)
    auth: httpx.Auth | None = attrs.field(
        default=None, validator=_check_instance(httpx.Auth, "auth must be an httpx.Auth")
    )
    headers: Mapping[str, str] = attrs.field(factory=dict)
    rate_limiter: RateLimiter | None = attrs.field(
        default=None, validator=_check_instance(RateLimiter, "rate_limiter must be a RateLimiter")
    )
    retry_policy: RetryPolicy | None = attrs.field(
        default=None, validator=_check_instance(RetryPolicy, "retry_policy must be a RetryPolicy")
    )
    error_family: ErrorFamily | None = attrs.field(
        default=None, validator=_check_instance(ErrorFamily, "error_family must be an ErrorFamily")
    )
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None
    event_hooks: Mapping[str, Sequence[Callable[..., Any]]] | None = None
    follow_redirects: bool = False
    raise_for_status: bool = True
    user_agent: str = USER_AGENT
    limits: httpx.Limits | None = None

    def policy(self) -> RetryPolicy:
        """The effective retry policy (``max_retries`` applied over ``retry_policy``)."""
        policy = self.retry_policy or RetryPolicy()
        if self.max_retries is not None:
            policy = attrs.evolve(policy, max_retries=self.max_retries)
        return policy

    def family(self) -> ErrorFamily:
        return self.error_family or CORE_FAMILY

    def default_headers(self) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent}
        for name, value in self.headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise ConfigurationError(f"headers must map str to str, got {name!r}: {type(value).__name__}")
            if is_sensitive_name(name):
                register_secret(value)
            headers[name] = value
        return headers


class SpecwireClient(httpx.Client):
    """``httpx.Client`` that raises the typed error for every non-2xx response (read first).

    A non-streamed response whose body breaks off mid-read is re-sent under
    ``retry_policy``'s rules (:class:`~specwire.core.retry.BodyReadRetries`);
    otherwise such failures surface as
    :class:`~specwire.core.errors.APIConnectionError` /
    :class:`~specwire.core.errors.APITimeoutError`.
    """

    def __init__(
        self,
        *,
        error_family: ErrorFamily = CORE_FAMILY,
        raise_for_status: bool = True,
        retry_policy: RetryPolicy | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.error_family = error_family
        self.raise_for_status = raise_for_status
        self.retry_policy = retry_policy

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: httpx._types.AuthTypes | httpx._client.UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        body_retries: BodyReadRetries | None = None
        try:
            while True:
                try:
                    response = super().send(
                        request, stream=stream, auth=auth, follow_redirects=follow_redirects
                    )
                    break
                except httpx.TransportError as exc:
                    # Transport-level failures were already handled by RetryTransport;
                    # what reaches here broke off while the client read the body.
                    if stream or self.retry_policy is None:
                        raise
                    body_retries = body_retries or BodyReadRetries(self.retry_policy, request)
                    delay = body_retries.delay_after(exc)
                    if delay is None:
                        raise
                    self.retry_policy.sleep(delay)
            if self.raise_for_status and response.status_code >= 400:
                try:
                    response.read()
                finally:
                    response.close()
                raise self.error_family.from_response(response)
        except httpx.TransportError as exc:
            raise self.error_family.from_transport_exception(exc, request) from exc
        return response


class AsyncSpecwireClient(httpx.AsyncClient):
    """Async twin of :class:`SpecwireClient`."""

    def __init__(
        self,
        *,
        error_family: ErrorFamily = CORE_FAMILY,
        raise_for_status: bool = True,
        retry_policy: RetryPolicy | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.error_family = error_family
        self.raise_for_status = raise_for_status
        self.retry_policy = retry_policy

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: httpx._types.AuthTypes | httpx._client.UseClientDefault | None = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: bool | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        body_retries: BodyReadRetries | None = None
        try:
            while True:
                try:
                    response = await super().send(
                        request, stream=stream, auth=auth, follow_redirects=follow_redirects
                    )
                    break
                except httpx.TransportError as exc:
                    if stream or self.retry_policy is None:
                        raise
                    body_retries = body_retries or BodyReadRetries(self.retry_policy, request)
                    delay = body_retries.delay_after(exc)
                    if delay is None:
                        raise
                    await self.retry_policy.asleep(delay)
            if self.raise_for_status and response.status_code >= 400:
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                raise self.error_family.from_response(response)
        except httpx.TransportError as exc:
            raise self.error_family.from_transport_exception(exc, request) from exc
        return response


def _hooks(
    cfg: HTTPConfig, request_hook: Callable[..., Any], response_hook: Callable[..., Any]
) -> dict[str, list]:
    hooks: dict[str, list[Callable[..., Any]]] = {"request": [request_hook], "response": [response_hook]}
    for kind, extra in (cfg.event_hooks or {}).items():
        if kind not in hooks:
            raise ConfigurationError(f"event_hooks keys must be 'request' or 'response', got {kind!r}")
        hooks[kind].extend(extra)
    return hooks


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process, shared by every client built here.

    Building a context loads the CA bundle, which costs tens of milliseconds per client (two
    per facade: sync and async); an ``SSLContext`` is safe to share between threads and loops.
    """
    return httpx.create_ssl_context()


def _client_kwargs(
    cfg: HTTPConfig, policy: RetryPolicy, transport: Any, hooks: dict[str, list[Any]]
) -> dict[str, Any]:
    """What the sync and async clients are built from; the transport already wraps the retries."""
    return {
        "retry_policy": policy,
        "error_family": cfg.family(),
        "raise_for_status": cfg.raise_for_status,
        "base_url": cfg.base_url,
        "auth": cfg.auth,
        "headers": cfg.default_headers(),
        "timeout": to_httpx_timeout(cfg.timeout),
        "transport": transport,
        "event_hooks": hooks,
        "follow_redirects": cfg.follow_redirects,
    }


def build_client(cfg: HTTPConfig) -> SpecwireClient:
    """A sync client with retries, rate limiting, auth, logging and typed errors."""
    inner = (
        cfg.transport
        if cfg.transport is not None
        else httpx.HTTPTransport(verify=shared_ssl_context(), limits=cfg.limits or httpx.Limits())
    )
    if not isinstance(inner, httpx.BaseTransport):
        raise ConfigurationError(f"build_client needs a sync httpx.BaseTransport, got {type(inner).__name__}")
    policy = cfg.policy()
    transport = RetryTransport(inner, policy, cfg.rate_limiter, error_family=cfg.family())
    return SpecwireClient(**_client_kwargs(cfg, policy, transport, _hooks(cfg, log_request, log_response)))


def build_async_client(cfg: HTTPConfig) -> AsyncSpecwireClient:
    """The asyncio twin of :func:`build_client`."""
    inner = (
        cfg.transport
        if cfg.transport is not None
        else httpx.AsyncHTTPTransport(verify=shared_ssl_context(), limits=cfg.limits or httpx.Limits())
    )
    if not isinstance(inner, httpx.AsyncBaseTransport):
        raise ConfigurationError(
            f"build_async_client needs an httpx.AsyncBaseTransport, got {type(inner).__name__}"
        )
    policy = cfg.policy()
    transport = AsyncRetryTransport(inner, policy, cfg.rate_limiter, error_family=cfg.family())
    return AsyncSpecwireClient(
        **_client_kwargs(cfg, policy, transport, _hooks(cfg, alog_request, alog_response))
    )
