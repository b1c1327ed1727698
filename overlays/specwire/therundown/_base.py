"""What the sync and async TheRundown clients share: key, auth scheme, limiter, usage, HTTP config.

The key comes from ``api_key=`` or ``THERUNDOWN_API_KEY``; it travels in the ``X-TheRundown-Key`` header by
default (the docs' advice for server-side code) or in the ``key`` query parameter (``auth="query"``), and is
registered for redaction so no log line, repr or error shows it. The client-side limiter follows the plan's
burst ceiling (``tier=`` or ``THERUNDOWN_TIER``, default ``free`` = 1 request/s, the safe choice when the plan
is unknown) so bursts are smoothed before the server answers 429.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from specwire.core.auth import APIKeyAuth, APIKeyQueryAuth
from specwire.core.errors import ConfigurationError
from specwire.core.http import HTTPConfig
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.redact import MASK, Secret, register_secret
from specwire.core.retry import RetryPolicy
from specwire.therundown._calls import Call
from specwire.therundown.errors import family
from specwire.therundown.usage import TIER_REQUESTS_PER_SECOND, Usage, UsageTracker

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_WS_URL", "KEY_HEADER", "ClientCore"]

DEFAULT_BASE_URL = "https://therundown.io"
DEFAULT_WS_URL = "wss://therundown.io/api/v2/ws/markets"
KEY_HEADER = "X-TheRundown-Key"
ENV_KEY = "THERUNDOWN_API_KEY"
ENV_TIER = "THERUNDOWN_TIER"

AuthIn = Literal["header", "query"]


def _rate_limiter(tier: str | None, requests_per_second: float | None) -> RateLimiter | None:
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


class ClientCore:
    """Configuration shared by :class:`TheRundown` and :class:`AsyncTheRundown` (not used directly)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth: AuthIn = "header",
        base_url: str = DEFAULT_BASE_URL,
        ws_url: str = DEFAULT_WS_URL,
        tier: str | None = None,
        requests_per_second: float | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get(ENV_KEY)
        if key is not None:
            if not isinstance(key, str) or not key.strip():
                raise ConfigurationError("api_key must be a non-empty string")
            register_secret(key)
        if auth not in ("header", "query"):
            raise ConfigurationError(f"auth must be 'header' or 'query', got {auth!r}")
        if not isinstance(ws_url, str) or not ws_url.startswith(("wss://", "ws://")):
            raise ConfigurationError(f"ws_url must be a ws(s):// URL, got {ws_url!r}")
        self._key = Secret(key) if key else None
        self.auth_in: AuthIn = auth
        self.base_url = base_url
        self.ws_url = ws_url
        self.usage = UsageTracker()
        limiter = rate_limiter if rate_limiter is not None else _rate_limiter(tier, requests_per_second)
        http_auth: httpx.Auth | None = None
        if self._key is not None:
            http_auth = (
                APIKeyAuth(self._key, header=KEY_HEADER)
                if auth == "header"
                else APIKeyQueryAuth(self._key, "key")
            )
        self._config = HTTPConfig(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            auth=http_auth,
            headers=dict(headers or {}),
            rate_limiter=limiter,
            retry_policy=retry_policy,
            error_family=family,
        )

    @property
    def has_key(self) -> bool:
        return self._key is not None

    @property
    def last_usage(self) -> Usage | None:
        """Usage headers of the most recent response this client received (any thread or task)."""
        return self.usage.last

    def _check_key(self, call: Call[Any]) -> None:
        if not call.public and self._key is None:
            raise ConfigurationError(
                f"{call.endpoint.__name__.rsplit('.', 1)[-1]} needs an API key: pass api_key= or set {ENV_KEY}"
            )

    def ws_key(self) -> str | None:
        return self._key.get() if self._key is not None else None

    def __repr__(self) -> str:
        key = f"'{MASK}'" if self._key is not None else "None"
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self.auth_in!r}, api_key={key})"
