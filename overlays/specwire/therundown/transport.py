"""Builds TheRundown's httpx clients on ``specwire.core``: URLs, timeouts, retries, rate limit, usage, errors.

Why here: the sync and async facades must build the same HTTP stack, so its rules live once:

* **where**: ``https://therundown.io`` for REST, ``wss://therundown.io/api/v2/ws/markets`` for the market
  stream (both overridable: ``base_url=``, ``ws_url=``);
* **auth**: the key's ``httpx.Auth`` from :mod:`specwire.therundown.auth`;
* **retries**: every endpoint is a GET, so every request is safe to repeat and the core's default
  :class:`~specwire.core.retry.RetryPolicy` fits as is (network errors and timeouts, 408/429/500/502/503/504;
  jittered backoff; ``Retry-After`` honoured; ``max_retries=2``) — except a spent data-point quota, see below;
* **rate limit**: a client-side limiter at the plan's burst ceiling (``tier=`` or ``THERUNDOWN_TIER``, default
  ``free`` = 1 request/s, the safe choice when the plan is unknown), so bursts are smoothed before the server
  answers 429;
* **errors**: every failure is raised in the ``TheRundownError`` family (:mod:`specwire.therundown.errors`).

:class:`RundownTransport` (and its async twin) sits *below* :class:`~specwire.core.retry.RetryTransport`,
so it sees every attempt:

* it records the usage headers of each response the server sent (retried ones cost data points too);
* a 429 whose body says the daily or monthly data-point allowance is spent is raised at once as a
  :class:`~specwire.therundown.errors.TheRundownRateLimitError` (``kind`` = ``daily_quota`` /
  ``monthly_quota``): retrying cannot succeed before the period resets, so the retry layer must not try.
  A burst 429 is passed up unchanged, and the retry layer waits ``Retry-After`` (usually 1 s) and retries.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs
import httpx

from specwire.core.errors import ConfigurationError
from specwire.core.http import (
    AsyncSpecwireClient,
    HTTPConfig,
    SpecwireClient,
    build_async_client,
    build_client,
)
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.retry import RetryPolicy
from specwire.therundown.errors import classify_rate_limit, family
from specwire.therundown.usage import UsageTracker

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_WS_URL",
    "ENV_TIER",
    "TIER_REQUESTS_PER_SECOND",
    "AsyncRundownTransport",
    "RundownTransport",
    "build_async_http_client",
    "build_http_client",
    "http_config",
    "tier_rate_limiter",
]

DEFAULT_BASE_URL = "https://therundown.io"
DEFAULT_WS_URL = "wss://therundown.io/api/v2/ws/markets"
ENV_TIER = "THERUNDOWN_TIER"

#: Burst ceilings per plan from the docs' tier table (requests per second per key). ``max`` comes from the
#: pricing file only; ``enterprise`` is custom (no client-side limit).
TIER_REQUESTS_PER_SECOND: dict[str, float] = {
    "free": 1,
    "starter": 2,
    "pro": 5,
    "ultra": 10,
    "super": 15,
    "mega": 20,
    "max": 50,
}


def tier_rate_limiter(tier: str | None, requests_per_second: float | None) -> RateLimiter | None:
    """The client-side limiter: ``requests_per_second`` if given, else the tier's ceiling.

    ``None`` for ``enterprise`` (custom limits: no client-side limiter).
    """
    if requests_per_second is None:
        name = (tier or os.environ.get(ENV_TIER) or "free").strip().lower()
        if name == "enterprise":
            return None
        if name not in TIER_REQUESTS_PER_SECOND:
            raise ConfigurationError(
                f"unknown tier {tier!r}; expected one of {sorted(TIER_REQUESTS_PER_SECOND)} or 'enterprise'"
            )
        requests_per_second = TIER_REQUESTS_PER_SECOND[name]
    rps = requests_per_second
    if isinstance(rps, bool) or not isinstance(rps, int | float) or not rps > 0:
        raise ConfigurationError(f"requests_per_second must be a positive number, got {rps!r}")
    if float(rps).is_integer():
        return RateLimiter([RateLimit(int(rps), 1.0, name=f"{int(rps)} req/s")])
    return RateLimiter([RateLimit(1, 1.0 / rps, name=f"{rps:g} req/s")])


def http_config(
    *,
    base_url: str,
    timeout: float,
    max_retries: int,
    auth: httpx.Auth | None,
    headers: Mapping[str, str] | None,
    rate_limiter: RateLimiter | None,
    retry_policy: RetryPolicy | None,
) -> HTTPConfig:
    """The HTTP stack both facades share (the network transport is added by the ``build_*`` functions)."""
    return HTTPConfig(
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        auth=auth,
        headers=dict(headers or {}),
        rate_limiter=rate_limiter,
        retry_policy=retry_policy,
        error_family=family,
    )


def build_http_client(
    config: HTTPConfig, transport: httpx.BaseTransport | None, usage: UsageTracker
) -> SpecwireClient:
    """The sync client: ``config`` over :class:`RundownTransport` over ``transport`` (default: network)."""
    inner = transport if transport is not None else httpx.HTTPTransport()
    return build_client(attrs.evolve(config, transport=RundownTransport(inner, usage)))


def build_async_http_client(
    config: HTTPConfig, transport: httpx.AsyncBaseTransport | None, usage: UsageTracker
) -> AsyncSpecwireClient:
    """The asyncio twin of :func:`build_http_client`."""
    inner = transport if transport is not None else httpx.AsyncHTTPTransport()
    return build_async_client(attrs.evolve(config, transport=AsyncRundownTransport(inner, usage)))


class RundownTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, tracker: UsageTracker) -> None:
        self.inner = inner
        self.tracker = tracker

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.request = request
        self.tracker.record(response)
        if response.status_code == 429:
            body = response.read()
            if classify_rate_limit(body).is_quota:
                response.close()
                raise family.from_response(response)
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRundownTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, tracker: UsageTracker) -> None:
        self.inner = inner
        self.tracker = tracker

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        response.request = request
        self.tracker.record(response)
        if response.status_code == 429:
            body = await response.aread()
            if classify_rate_limit(body).is_quota:
                await response.aclose()
                raise family.from_response(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
