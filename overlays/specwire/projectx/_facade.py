"""What the sync and async ProjectX facades share: configuration, session, clients, envelope checks.

:class:`ProjectXBase` holds one facade's configuration, token session, HTTP
stack (:mod:`specwire.projectx.transport`) and generated clients. It calls the
*generated* operation functions (``specwire_gen.projectx.api``) with the
injected httpx client, then turns a ``success: false`` envelope into the typed
exception for that endpoint and code. HTTP-level failures never reach the
generated parser: the core client raises them first.

The helpers below it read results and reconcile an order whose outcome is
unknown; the sync resources (:mod:`specwire.projectx.client`) and their async
twins (:mod:`specwire.projectx.async_client`) call the same ones.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import httpx
from specwire_gen.projectx.client import Client
from specwire_gen.projectx.types import Response, Unset

from specwire.core.auth import BearerTokenAuth
from specwire.core.errors import ConfigurationError, SpecwireError
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.retry import RetryPolicy
from specwire.projectx import models
from specwire.projectx.auth import AsyncNoAuthClient, NoAuthClient, TokenSession
from specwire.projectx.config import ProjectXConfig
from specwire.projectx.errors import (
    AmbiguousOrderError,
    APIConnectionError,
    ContractNotFoundError,
    OrderRejectedError,
    OutcomeUnknownError,
    ProjectXAPIError,
    ServerError,
    error_for_envelope,
)
from specwire.projectx.hosts import HostConfig
from specwire.projectx.models import OrderStatus, PlacedOrder
from specwire.projectx.transport import MUTATING_ENDPOINTS, HTTPStack

if TYPE_CHECKING:
    from specwire.projectx.models import ContractModel, OrderModel

__all__ = [
    "ProjectXBase",
    "ambiguous",
    "contract_from_response",
    "outcome_unknown",
    "reconciled",
    "unwrap",
]


def unwrap(endpoint: str, response: Response[Any]) -> Any:
    """The parsed payload of a generated call, or the typed error for a ``success: false`` envelope."""
    parsed = response.parsed
    if parsed is None:
        raise _error_class(endpoint)(
            f"{endpoint}: unexpected HTTP {int(response.status_code)} response",
            endpoint=endpoint,
            status_code=int(response.status_code),
            body=response.content,
        )
    success = getattr(parsed, "success", True)
    if success is not True:
        order_id = getattr(parsed, "order_id", None)
        message = getattr(parsed, "error_message", None)
        raise error_for_envelope(
            endpoint,
            getattr(parsed, "error_code", None),
            message if isinstance(message, str) else None,
            body=response.content,
            order_id=order_id if isinstance(order_id, int) else None,
        )
    return parsed


def _error_class(endpoint: str) -> type[ProjectXAPIError]:
    """An answer we cannot read came from a Gateway that did receive the request: for a mutation
    that means the outcome is unknown (``place`` then looks the order up by its tag)."""
    return OutcomeUnknownError if endpoint in MUTATING_ENDPOINTS else ProjectXAPIError


def parse_failure(endpoint: str, exc: Exception) -> ProjectXAPIError:
    err = _error_class(endpoint)(
        f"{endpoint}: response does not match the spec ({type(exc).__name__}: {exc})", endpoint=endpoint
    )
    err.__cause__ = exc
    return err


def is_parse_error(exc: BaseException) -> bool:
    """A decoding failure inside the generated parser (not one of our own errors)."""
    return isinstance(exc, KeyError | ValueError | TypeError | AttributeError) and not isinstance(
        exc, SpecwireError
    )


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value or None


class ProjectXBase:
    """Configuration, token session, HTTP stack and generated client of one facade instance."""

    def __init__(
        self,
        api_key: str | None = None,
        username: str | None = None,
        *,
        firm: str | None = None,
        api_url: str | None = None,
        market_hub_url: str | None = None,
        user_hub_url: str | None = None,
        token: str | None = None,
        config: ProjectXConfig | None = None,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        timeout: float | None = None,
        max_retries: int = 2,
        rate_limits: Sequence[RateLimit] | None = None,
        rate_limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        renew_margin: float | None = None,
        reconcile_attempts: int = 3,
        reconcile_delay: float = 0.5,
    ) -> None:
        overrides = {
            "api_key": api_key,
            "username": username,
            "firm": firm,
            "api_url": api_url,
            "market_hub_url": market_hub_url,
            "user_hub_url": user_hub_url,
            "timeout": timeout,
            "renew_margin": renew_margin,
        }
        given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        if config is None:
            # Only namespaced variables here: a bare USERNAME is often the OS user. ``from_env`` reads the seed's names.
            config = ProjectXConfig(
                username=_env("PROJECTX_USERNAME"),
                api_key=_env("PROJECTX_API_KEY"),
                firm=_env("PROJECTX_FIRM"),
                api_url=_env("PROJECTX_API_URL"),
                market_hub_url=_env("PROJECTX_MARKET_HUB_URL"),
                user_hub_url=_env("PROJECTX_USER_HUB_URL"),
            )
        elif not isinstance(config, ProjectXConfig):
            raise ConfigurationError(f"config must be a ProjectXConfig, got {type(config).__name__}")
        config = attrs.evolve(config, **given) if given else config
        config.hosts  # noqa: B018 - refuse an unknown firm or a bad URL now
        if token is None:
            config.check_credentials()
        if (
            isinstance(reconcile_attempts, bool)
            or not isinstance(reconcile_attempts, int)
            or reconcile_attempts < 1
        ):
            raise ConfigurationError(f"reconcile_attempts must be an int >= 1, got {reconcile_attempts!r}")
        if (
            isinstance(reconcile_delay, bool)
            or not isinstance(reconcile_delay, int | float)
            or reconcile_delay < 0
        ):
            raise ConfigurationError(
                f"reconcile_delay must be a number of seconds >= 0, got {reconcile_delay!r}"
            )
        self.config = config
        self.reconcile_attempts = reconcile_attempts
        self.reconcile_delay = float(reconcile_delay)
        self.session = TokenSession(
            config,
            client=lambda: self._stack.sync_client,
            async_client=lambda: self._stack.async_client,
            initial_token=token,
        )
        self._stack = HTTPStack(
            config,
            auth_factory=lambda: BearerTokenAuth(self.session),
            transport=transport,
            http_client=http_client,
            async_http_client=async_http_client,
            rate_limits=rate_limits,
            rate_limiter=rate_limiter,
            retry_policy=retry_policy,
            max_retries=max_retries,
        )
        self._gen: Client | None = None
        self._agen: Client | None = None

    # -- views ----------------------------------------------------------------------------------
    @property
    def hosts(self) -> HostConfig:
        return self.config.hosts

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._stack.rate_limiter

    def __repr__(self) -> str:
        return f"{type(self).__name__}(user={self.config.username!r}, api={self.hosts.api_url!r})"

    # -- generated clients ----------------------------------------------------------------------
    @property
    def generated(self) -> Client:
        """The generated client wired to this facade's sync httpx client (auth, retries, limits)."""
        if self._gen is None:
            self._gen = Client(base_url=self.hosts.api_url).set_httpx_client(self._stack.sync_client)
        return self._gen

    @property
    def agenerated(self) -> Client:
        """The generated client wired to this facade's async httpx client."""
        if self._agen is None:
            self._agen = Client(base_url=self.hosts.api_url).set_async_httpx_client(self._stack.async_client)
        return self._agen

    def call(self, module: Any, endpoint: str, body: Any = None) -> Any:
        """Run generated ``module.sync_detailed`` and unwrap the envelope."""
        kwargs: dict[str, Any] = {"client": self.generated}
        if body is not None:
            kwargs["body"] = body
        try:
            response = module.sync_detailed(**kwargs)
        except Exception as exc:
            if is_parse_error(exc):
                raise parse_failure(endpoint, exc) from exc
            raise
        return unwrap(endpoint, response)

    def call_unauthenticated(self, module: Any, endpoint: str) -> Any:
        """Run a generated operation declared ``security: []`` (``Status/ping``) without a token."""
        gen = Client(base_url=self.hosts.api_url).set_httpx_client(NoAuthClient(self._stack.sync_client))  # type: ignore[arg-type]
        return unwrap(endpoint, module.sync_detailed(client=gen))

    async def acall_unauthenticated(self, module: Any, endpoint: str) -> Any:
        gen = Client(base_url=self.hosts.api_url).set_async_httpx_client(
            AsyncNoAuthClient(self._stack.async_client)  # type: ignore[arg-type]
        )
        return unwrap(endpoint, await module.asyncio_detailed(client=gen))

    async def acall(self, module: Any, endpoint: str, body: Any = None) -> Any:
        """Run generated ``module.asyncio_detailed`` and unwrap the envelope."""
        kwargs: dict[str, Any] = {"client": self.agenerated}
        if body is not None:
            kwargs["body"] = body
        try:
            response = await module.asyncio_detailed(**kwargs)
        except Exception as exc:
            if is_parse_error(exc):
                raise parse_failure(endpoint, exc) from exc
            raise
        return unwrap(endpoint, response)

    # -- streams (specwire.projectx.streams) ----------------------------------------------------
    def market_stream(self, **options: Any) -> Any:
        """A :class:`~specwire.projectx.streams.MarketStream` on this firm's market hub and session.

        ``async with px.market_stream() as s: await s.subscribe_quotes(...); async for e in s: ...``
        """
        from specwire.projectx.streams import market_stream

        return market_stream(self, **options)

    def user_stream(self, **options: Any) -> Any:
        """A :class:`~specwire.projectx.streams.UserStream`; after a reconnect it reconciles through this client."""
        from specwire.projectx.streams import user_stream

        return user_stream(self, **options)


# -- results shared by the sync and async resources ---------------------------------------------

logger = logging.getLogger("specwire.projectx.orders")

# httpx failures after which the request provably never left this machine.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _list(value: Any) -> list[Any]:
    """A payload array as a list (absent or null arrays are empty).

    Items that do not fit their model never get here: the generated parser raises, and
    ``ProjectXBase.call`` turns that into a ``ProjectXAPIError`` naming the endpoint.
    """
    if value is None or isinstance(value, Unset):
        return []
    return list(value)


def _model(value: Any, cls: type[Any]) -> Any:
    return value if isinstance(value, cls) else None


def contract_from_response(parsed: Any, contract_id: str) -> ContractModel:
    """``contract`` or the one-element ``contracts`` array: the spec accepts both forms."""
    single = _model(parsed.contract, models.ContractModel)
    if single is not None:
        return single  # type: ignore[no-any-return]
    many = _list(parsed.contracts)
    for item in many:
        if item.id == contract_id:
            return item  # type: ignore[no-any-return]
    if many:
        return many[0]  # type: ignore[no-any-return]
    raise ContractNotFoundError(
        f"Contract/searchById returned no contract for {contract_id!r}",
        endpoint="Contract/searchById",
        error_name="ContractNotFound",
    )


def outcome_unknown(exc: BaseException) -> bool:
    """True when a mutation may or may not have reached the Gateway."""
    if isinstance(exc, OutcomeUnknownError | ServerError):
        return True
    if isinstance(exc, APIConnectionError):
        return not isinstance(exc.__cause__, _NOT_SENT)
    return False


def _matching(orders: list[OrderModel], tag: str) -> OrderModel | None:
    found = [o for o in orders if isinstance(o.custom_tag, str) and o.custom_tag == tag]
    if len(found) > 1:
        logger.warning(
            "%d orders carry customTag %r; returning the first (id %s)", len(found), tag, found[0].id
        )
    return found[0] if found else None


def reconciled(order: OrderModel, tag: str) -> PlacedOrder:
    if order.status == OrderStatus.REJECTED:
        err = OrderRejectedError(
            f"Order/place: order {order.id} (customTag {tag!r}) was created and rejected",
            endpoint="Order/place",
            error_name="OrderRejected",
        )
        err.order_id = order.id
        raise err
    return PlacedOrder(order_id=order.id, custom_tag=tag, reconciled=True, order=order)


def ambiguous(tag: str, attempts: int, cause: BaseException) -> AmbiguousOrderError:
    err = AmbiguousOrderError(
        f"Order/place outcome unknown after {type(cause).__name__}; no order with customTag {tag!r} "
        f"found in {attempts} lookup(s). Do not place it again blindly: look it up by this tag.",
        custom_tag=tag,
        endpoint="Order/place",
    )
    err.__cause__ = cause
    return err
