"""How ProjectX talks HTTP: the httpx clients of a session, built from :mod:`specwire.core.http`.

Built on :func:`specwire.core.http.build_client`; what is ProjectX-specific
lives here:

* base URL (the firm's API host), timeout and ``Accept`` header;
* the published limits (reference §5.1) as one :class:`RateLimiter` shared by
  every thread and task of a session: 200 requests / 60 s overall and
  30 / 30 s for ``History/retrieveBars`` (the stricter of the two figures the
  sources give; pass ``rate_limits=`` to change them);
* the retry policy: which POSTs are reads and may be retried (the routes of
  :data:`READ_ENDPOINTS`; never the order and position mutations, :data:`MUTATING_ENDPOINTS`,
  nor a route the table does not know);
* the ``ProjectX*`` error family (:mod:`specwire.projectx.errors`) for HTTP and
  transport failures.

The bearer auth installed on the clients is :mod:`specwire.projectx.auth`'s session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import httpx

from specwire.core.errors import ConfigurationError
from specwire.core.http import HTTPConfig, build_async_client, build_client
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.retry import RetryPolicy
from specwire.projectx.config import ProjectXConfig
from specwire.projectx.errors import family

__all__ = [
    "BARS_PATH",
    "MUTATING_ENDPOINTS",
    "READ_ENDPOINTS",
    "HTTPStack",
    "http_config",
    "default_rate_limits",
    "is_read_request",
    "route_of",
]

#: Routes whose effect must never be repeated by a retry.
MUTATING_ENDPOINTS = frozenset(
    {"Order/place", "Order/modify", "Order/cancel", "Position/closeContract", "Position/partialCloseContract"}
)
#: Routes that only read: the only POSTs a retry may repeat. An allowlist, so a route this
#: table does not know (a new mutation, say) is sent once rather than assumed harmless.
READ_ENDPOINTS = frozenset(
    {
        "Auth/loginKey",
        "Auth/loginApp",
        "Auth/validate",
        "Auth/logout",
        "Account/search",
        "Contract/search",
        "Contract/searchById",
        "Contract/available",
        "History/retrieveBars",
        "Order/search",
        "Order/searchOpen",
        "Order/searchById",
        "Order/v2/query",
        "Position/searchOpen",
        "Trade/search",
        "Status/ping",
    }
)

BARS_PATH = "/api/History/retrieveBars"
_READ_ROUTES = frozenset(endpoint.lower() for endpoint in READ_ENDPOINTS)


def route_of(request: httpx.Request) -> str:
    """The Gateway route of ``request`` (``"order/place"``, lower case), wherever the API is mounted.

    The route is what follows the last ``/api/`` of the path, so an ``api_url`` with a path of
    its own (a proxy, ``https://host/gateway``) classifies requests exactly like the plain host.
    """
    path = request.url.path.lower().rstrip("/")
    cut = path.rfind("/api/")
    return path[cut + len("/api/") :] if cut >= 0 else path.lstrip("/")


def _is_bars(request: httpx.Request) -> bool:
    return route_of(request) == "history/retrievebars"


def default_rate_limits(
    overall: tuple[int, float] = (200, 60.0), bars: tuple[int, float] = (30, 30.0)
) -> list[RateLimit]:
    """The Gateway's published limits as :class:`RateLimit` rules."""
    return [
        RateLimit(overall[0], overall[1], name=f"overall {overall[0]}/{overall[1]:g}s"),
        RateLimit(bars[0], bars[1], match=_is_bars, name=f"retrieveBars {bars[0]}/{bars[1]:g}s"),
    ]


def is_read_request(request: httpx.Request) -> bool:
    """Whether ``request`` is one of the Gateway's read routes (:data:`READ_ENDPOINTS`), so a retry is harmless.

    Order and position mutations, and any route not in the table, are never retried.
    """
    return route_of(request) in _READ_ROUTES


def _policy(max_retries: int, retry_policy: RetryPolicy | None) -> RetryPolicy:
    base = retry_policy or RetryPolicy()
    return attrs.evolve(base, max_retries=max_retries, is_idempotent=base.is_idempotent or is_read_request)


def http_config(
    config: ProjectXConfig,
    *,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
    auth: httpx.Auth | None = None,
    rate_limiter: RateLimiter | None = None,
    retry_policy: RetryPolicy | None = None,
    max_retries: int = 2,
) -> HTTPConfig:
    """The core client settings of one session: Gateway URL, timeout, auth, limiter, reads-only retries."""
    return HTTPConfig(
        base_url=config.hosts.api_url,
        timeout=config.timeout,
        auth=auth,
        rate_limiter=rate_limiter,
        retry_policy=_policy(max_retries, retry_policy),
        error_family=family,
        transport=transport,
        headers={"Accept": "application/json"},
    )


class HTTPStack:
    """Lazily built sync and async clients of one session, sharing limiter, policy and auth.

    A sync facade normally uses only the sync client, but its token session
    may be asked for a token from asyncio code (the SignalR streams), so the
    async client is built on demand too. ``http_client`` / ``async_http_client``
    replace the built ones (the caller then owns their transport policies;
    the bearer auth is still installed on them).
    """

    def __init__(
        self,
        config: ProjectXConfig,
        *,
        auth_factory: Callable[[], httpx.Auth],
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        rate_limits: Sequence[RateLimit] | None = None,
        rate_limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        max_retries: int = 2,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(f"http_client must be an httpx.Client, got {type(http_client).__name__}")
        if async_http_client is not None and not isinstance(async_http_client, httpx.AsyncClient):
            raise ConfigurationError(
                f"async_http_client must be an httpx.AsyncClient, got {type(async_http_client).__name__}"
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if rate_limiter is None:
            rate_limiter = RateLimiter(default_rate_limits() if rate_limits is None else rate_limits)
        self.config = config
        self.rate_limiter = rate_limiter
        self._auth_factory = auth_factory
        self._transport = transport
        self._retry_policy = retry_policy
        self._max_retries = max_retries
        self._sync = http_client
        self._async = async_http_client
        self._owns_sync = http_client is None
        self._owns_async = async_http_client is None
        for client in (http_client, async_http_client):
            if client is not None:
                client.auth = auth_factory()
                if not str(client.base_url):
                    client.base_url = httpx.URL(config.hosts.api_url)

    @property
    def sync_client(self) -> httpx.Client:
        if self._sync is None:
            transport = self._transport
            if transport is not None and not isinstance(transport, httpx.BaseTransport):
                raise ConfigurationError(f"transport {type(transport).__name__} cannot serve the sync client")
            self._sync = build_client(
                http_config(
                    self.config,
                    transport=transport,
                    auth=self._auth_factory(),
                    rate_limiter=self.rate_limiter,
                    retry_policy=self._retry_policy,
                    max_retries=self._max_retries,
                )
            )
        return self._sync

    @property
    def async_client(self) -> httpx.AsyncClient:
        if self._async is None:
            transport = self._transport
            if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
                raise ConfigurationError(
                    f"transport {type(transport).__name__} cannot serve the async client"
                )
            self._async = build_async_client(
                http_config(
                    self.config,
                    transport=transport,
                    auth=self._auth_factory(),
                    rate_limiter=self.rate_limiter,
                    retry_policy=self._retry_policy,
                    max_retries=self._max_retries,
                )
            )
        return self._async

    def close(self) -> None:
        if self._sync is not None and self._owns_sync:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None and self._owns_async:
            await self._async.aclose()
        self.close()
