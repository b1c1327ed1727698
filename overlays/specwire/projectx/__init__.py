"""ProjectX Gateway (TopstepX and other firms): REST facade, token session, seed-compatible API.

* :class:`ProjectX` / :class:`AsyncProjectX` — typed resources over the generated client.
* :class:`TokenSession` (``px.session``) — login, renewal before expiry and on 401, token listeners.
* The tsxapipy-style API: :func:`authenticate`, :class:`APIClient`, :class:`OrderPlacer`,
  :class:`OrderSide` / :class:`OrderType`, and its exception names; ``DataStream``,
  ``UserHubStream`` and ``HistoricalDataUpdater`` load on first use (the history store needs
  the ``parquet`` extra), so ``from specwire.projectx import DataStream`` ports as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports
from specwire.projectx.api_client import APIClient
from specwire.projectx.async_client import AsyncProjectX
from specwire.projectx.auth import TokenSession, authenticate, jwt_expiry
from specwire.projectx.client import ProjectX
from specwire.projectx.config import ProjectXConfig
from specwire.projectx.errors import (
    AccountNotFoundError,
    AccountRejectedError,
    AccountViolationError,
    AmbiguousOrderError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    ContractNotActiveError,
    ContractNotFoundError,
    GatewayError,
    GatewayUnknownError,
    InsufficientFundsError,
    InvalidArgumentError,
    InvalidRequestError,
    MarketClosedError,
    OrderNotFoundError,
    OrderPendingError,
    OrderRejectedError,
    OutcomeUnknownError,
    PositionNotFoundError,
    ProjectXAPIError,
    RateLimitError,
    ServerError,
)
from specwire.projectx.hosts import FIRMS, HostConfig, resolve_hosts
from specwire.projectx.models import BarUnit, Bracket, OrderSide, OrderStatus, OrderType, PlacedOrder
from specwire.projectx.order_placer import OrderPlacer
from specwire.projectx.transport import default_rate_limits

if TYPE_CHECKING:
    from specwire.projectx.history import HistoricalDataUpdater
    from specwire.projectx.streams import DataStream, MarketStream, OrderBook, UserHubStream, UserStream

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire.projectx.streams": (
                "DataStream",
                "UserHubStream",
                "MarketStream",
                "UserStream",
                "OrderBook",
            ),
            "specwire.projectx.history": ("HistoricalDataUpdater",),
        },
    )


__all__ = [
    "APIClient",
    "DataStream",
    "HistoricalDataUpdater",
    "MarketStream",
    "OrderBook",
    "UserHubStream",
    "UserStream",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountNotFoundError",
    "AccountRejectedError",
    "AccountViolationError",
    "AmbiguousOrderError",
    "AsyncProjectX",
    "AuthenticationError",
    "BarUnit",
    "Bracket",
    "ConfigurationError",
    "ContractNotActiveError",
    "ContractNotFoundError",
    "FIRMS",
    "GatewayError",
    "GatewayUnknownError",
    "HostConfig",
    "InsufficientFundsError",
    "InvalidArgumentError",
    "InvalidRequestError",
    "MarketClosedError",
    "OrderNotFoundError",
    "OrderPendingError",
    "OrderPlacer",
    "OrderRejectedError",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "OutcomeUnknownError",
    "PlacedOrder",
    "PositionNotFoundError",
    "ProjectX",
    "ProjectXAPIError",
    "ProjectXConfig",
    "RateLimitError",
    "ServerError",
    "TokenSession",
    "authenticate",
    "default_rate_limits",
    "jwt_expiry",
    "resolve_hosts",
]
