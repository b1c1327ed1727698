"""ProjectX errors: HTTP failures and ``success: false`` envelopes, both typed by meaning.

The Gateway answers most failures with HTTP 200, ``success: false`` and an
``errorCode`` whose meaning depends on the endpoint (code 2 is
``OrderRejected`` on ``Order/place`` but ``OrderNotFound`` on ``Order/modify``).
:func:`error_for_envelope` reads the code through the generated per-endpoint
enum (so the spec stays the one source of the tables) and picks the exception
class by the code's *name*. Every instance carries ``endpoint``,
``error_code``, ``error_name`` and ``error_message``.

HTTP-level failures (401, 429, 5xx, timeouts) come from the core transport as
the ``ProjectX*`` family derived here, so ``except RateLimitError`` (core) and
``except ProjectXAPIError`` both catch them.

Arguments the client refuses before sending raise :class:`InvalidArgumentError`
(a :class:`ConfigurationError`, so a ``ValueError``), naming the argument.

The seed library's names (``APIError``, ``AuthenticationError``,
``APITimeoutError``, ``OrderNotFoundError``, ``ContractNotFoundError``,
``MarketClosedError``, ``ConfigurationError``) are exported as aliases.
"""

from __future__ import annotations

import enum
from typing import Any, cast

import httpx
from specwire_gen.projectx.models.cancel_order_error_code import CancelOrderErrorCode
from specwire_gen.projectx.models.close_position_error_code import ClosePositionErrorCode
from specwire_gen.projectx.models.list_available_contract_error_code import ListAvailableContractErrorCode
from specwire_gen.projectx.models.login_error_code import LoginErrorCode
from specwire_gen.projectx.models.logout_error_code import LogoutErrorCode
from specwire_gen.projectx.models.modify_order_error_code import ModifyOrderErrorCode
from specwire_gen.projectx.models.partial_close_position_error_code import PartialClosePositionErrorCode
from specwire_gen.projectx.models.place_order_error_code import PlaceOrderErrorCode
from specwire_gen.projectx.models.retrieve_bar_error_code import RetrieveBarErrorCode
from specwire_gen.projectx.models.search_account_error_code import SearchAccountErrorCode
from specwire_gen.projectx.models.search_contract_by_id_error_code import SearchContractByIdErrorCode
from specwire_gen.projectx.models.search_contract_error_code import SearchContractErrorCode
from specwire_gen.projectx.models.search_order_by_id_error_code import SearchOrderByIdErrorCode
from specwire_gen.projectx.models.search_order_error_code import SearchOrderErrorCode
from specwire_gen.projectx.models.search_position_error_code import SearchPositionErrorCode
from specwire_gen.projectx.models.search_trade_error_code import SearchTradeErrorCode
from specwire_gen.projectx.models.validate_error_code import ValidateErrorCode

from specwire.core import errors as core
from specwire.core.errors import ConfigurationError, ErrorFamily

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AccountNotFoundError",
    "AccountRejectedError",
    "AccountViolationError",
    "AmbiguousOrderError",
    "AuthenticationError",
    "ConfigurationError",
    "ContractNotActiveError",
    "ContractNotFoundError",
    "ERROR_CODE_ENUMS",
    "GatewayError",
    "GatewayUnknownError",
    "InsufficientFundsError",
    "InvalidArgumentError",
    "InvalidRequestError",
    "MarketClosedError",
    "OrderNotFoundError",
    "OrderPendingError",
    "OrderRejectedError",
    "OutcomeUnknownError",
    "PositionNotFoundError",
    "ProjectXAPIError",
    "RateLimitError",
    "ServerError",
    "error_code_name",
    "error_for_envelope",
    "family",
]


class InvalidArgumentError(ConfigurationError):
    """An argument was refused before anything was sent; the message names it."""


class ProjectXAPIError(core.APIError):
    """Base of every ProjectX API failure (HTTP-level or ``success: false``).

    ``endpoint`` is the Gateway route (``"Order/place"``); ``error_code`` /
    ``error_name`` / ``error_message`` are the envelope's, ``None`` for
    failures without an envelope (timeouts, HTTP 429, ...).
    """

    endpoint: str | None
    error_code: int | None
    error_name: str | None
    error_message: str | None

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        error_code: int | None = None,
        error_name: str | None = None,
        error_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.endpoint = endpoint
        self.error_code = error_code
        self.error_name = error_name
        self.error_message = error_message

    def _specwire_init(self) -> None:
        """Called by :class:`ErrorFamily` after ``create``: derive ``endpoint`` from the request URL."""
        self.endpoint = _endpoint_from_url(self.url)
        self.error_code = None
        self.error_name = None
        self.error_message = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, endpoint={self.endpoint!r}, "
            f"error_code={self.error_code!r}, error_name={self.error_name!r}, status_code={self.status_code!r})"
        )


def _endpoint_from_url(url: str | None) -> str | None:
    if not url:
        return None
    path = httpx.URL(url).path
    return path[len("/api/") :] if path.startswith("/api/") else path or None


#: HTTP/transport failures as ProjectX classes (each also the core class of the same meaning).
family = ErrorFamily.derive(ProjectXAPIError, prefix="ProjectX", module=__name__)
AuthenticationError = family.AuthenticationError
RateLimitError = family.RateLimitError
ServerError = family.ServerError
APIConnectionError = family.APIConnectionError
APITimeoutError = family.APITimeoutError
APIError = ProjectXAPIError


class GatewayError(ProjectXAPIError):
    """The Gateway answered ``success: false`` (HTTP 200) with a code this SDK maps by meaning."""


class AccountNotFoundError(GatewayError):
    """The account id is unknown to this login."""


class AccountRejectedError(GatewayError):
    """The account may not do this (e.g. a copy-trading follower, or a live account on a sim-only endpoint)."""


class ContractNotFoundError(GatewayError):
    """The contract id does not exist."""


class ContractNotActiveError(GatewayError):
    """The contract exists but is not tradable now (expired or inactive)."""


class OrderNotFoundError(GatewayError):
    """The order id is unknown for this account."""


class PositionNotFoundError(GatewayError):
    """No open position in that contract."""


class InvalidRequestError(GatewayError):
    """The Gateway refused an argument (bar unit, unit number, limit, close size)."""


class OrderRejectedError(GatewayError):
    """The order was refused. ``order_id`` is set when the Gateway still created (and rejected) an order."""

    order_id: int | None = None


class InsufficientFundsError(OrderRejectedError):
    """Not enough buying power."""


class MarketClosedError(OrderRejectedError):
    """Outside trading hours."""


class AccountViolationError(OrderRejectedError):
    """The order would break an account rule."""


class OutcomeUnknownError(GatewayError):
    """The Gateway could not say whether a mutation took effect: reconcile before repeating it."""


class OrderPendingError(OutcomeUnknownError):
    """A "pending" code: the mutation is still being processed."""


class GatewayUnknownError(OutcomeUnknownError):
    """The Gateway's own ``UnknownError`` code."""


class AmbiguousOrderError(OutcomeUnknownError):
    """``place`` could not learn whether the order exists; ``custom_tag`` finds it later.

    Raised only after the client looked the order up by its tag and did not
    find it. The order may still appear; never place it again blindly.
    """

    custom_tag: str

    def __init__(self, message: str, *, custom_tag: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.custom_tag = custom_tag


#: Route -> the generated enum of its ``errorCode`` (reference §4).
ERROR_CODE_ENUMS: dict[str, type[enum.IntEnum]] = {
    "Auth/loginKey": LoginErrorCode,
    "Auth/loginApp": LoginErrorCode,
    "Auth/validate": ValidateErrorCode,
    "Auth/logout": LogoutErrorCode,
    "Account/search": SearchAccountErrorCode,
    "Contract/search": SearchContractErrorCode,
    "Contract/searchById": SearchContractByIdErrorCode,
    "Contract/available": ListAvailableContractErrorCode,
    "History/retrieveBars": RetrieveBarErrorCode,
    "Order/place": PlaceOrderErrorCode,
    "Order/modify": ModifyOrderErrorCode,
    "Order/cancel": CancelOrderErrorCode,
    "Order/search": SearchOrderErrorCode,
    "Order/searchOpen": SearchOrderErrorCode,
    "Order/v2/query": SearchOrderErrorCode,
    "Order/searchById": SearchOrderByIdErrorCode,
    "Position/searchOpen": SearchPositionErrorCode,
    "Position/closeContract": ClosePositionErrorCode,
    "Position/partialCloseContract": PartialClosePositionErrorCode,
    "Trade/search": SearchTradeErrorCode,
}

_CLASS_BY_NAME: dict[str, type[ProjectXAPIError]] = {
    "AccountNotFound": AccountNotFoundError,
    "AccountRejected": AccountRejectedError,
    "AccountViolation": AccountViolationError,
    "ContractNotFound": ContractNotFoundError,
    "ContractNotActive": ContractNotActiveError,
    "OrderNotFound": OrderNotFoundError,
    "PositionNotFound": PositionNotFoundError,
    "OrderRejected": OrderRejectedError,
    "Rejected": OrderRejectedError,
    "InsufficientFunds": InsufficientFundsError,
    "OutsideTradingHours": MarketClosedError,
    "OrderPending": OrderPendingError,
    "Pending": OrderPendingError,
    "UnknownError": GatewayUnknownError,
    "UnitInvalid": InvalidRequestError,
    "UnitNumberInvalid": InvalidRequestError,
    "LimitInvalid": InvalidRequestError,
    "InvalidCloseSize": InvalidRequestError,
}
_AUTH_ENDPOINTS = frozenset({"Auth/loginKey", "Auth/loginApp", "Auth/validate", "Auth/logout"})


def error_code_name(endpoint: str, code: int) -> str:
    """The spec's name for ``code`` on ``endpoint`` (``"OrderRejected"``), or ``"Unknown(<code>)"``."""
    enum_cls = ERROR_CODE_ENUMS.get(endpoint)
    if enum_cls is not None:
        member = enum_cls._value2member_map_.get(code)
        if member is not None:
            return "".join(part.capitalize() for part in member.name.split("_"))
    return f"Unknown({code})"


def error_for_envelope(
    endpoint: str,
    error_code: int | None,
    error_message: str | None,
    *,
    request: httpx.Request | None = None,
    body: Any = None,
    order_id: int | None = None,
) -> ProjectXAPIError:
    """The typed exception for a ``success: false`` envelope from ``endpoint``."""
    code = int(error_code) if error_code is not None else -1
    name = error_code_name(endpoint, code)
    cls: type[ProjectXAPIError] = (
        cast("type[ProjectXAPIError]", AuthenticationError)
        if endpoint in _AUTH_ENDPOINTS
        else _CLASS_BY_NAME.get(name, GatewayError)
    )
    text = f"{endpoint} failed: errorCode {code} ({name})"
    if error_message:
        text += f": {error_message}"
    if order_id is not None:
        text += f" [orderId {order_id}]"
    err = cls.create(text, body=body, request=request)
    err.endpoint = endpoint
    err.error_code = code
    err.error_name = name
    err.error_message = error_message
    if isinstance(err, OrderRejectedError):
        err.order_id = order_id
    return err
