"""Synchronous ProjectX resources: ``px.accounts``, ``px.contracts``, ``px.history``, ``px.orders``, ...

Each method checks its arguments (see :mod:`specwire.projectx._requests`),
calls one generated operation through the facade, and returns generated
models. The asyncio twins in :mod:`specwire.projectx.async_resources` have
the same names, arguments and results.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
from specwire_gen.projectx.api.account import search_accounts
from specwire_gen.projectx.api.contract import (
    list_available_contracts,
    search_contract_by_id,
    search_contracts,
)
from specwire_gen.projectx.api.history import retrieve_bars
from specwire_gen.projectx.api.order import (
    cancel_order,
    modify_order,
    place_order,
    query_orders,
    search_open_orders,
    search_order_by_id,
    search_orders,
)
from specwire_gen.projectx.api.position import (
    close_contract_position,
    partial_close_contract_position,
    search_open_positions,
)
from specwire_gen.projectx.api.status import ping
from specwire_gen.projectx.api.trade import search_trades
from specwire_gen.projectx.models.aggregate_bar_model import AggregateBarModel
from specwire_gen.projectx.models.contract_model import ContractModel
from specwire_gen.projectx.models.half_trade_model import HalfTradeModel
from specwire_gen.projectx.models.list_available_contract_request import ListAvailableContractRequest
from specwire_gen.projectx.models.order_model import OrderModel
from specwire_gen.projectx.models.order_status import OrderStatus
from specwire_gen.projectx.models.position_model import PositionModel
from specwire_gen.projectx.models.search_account_request import SearchAccountRequest
from specwire_gen.projectx.models.search_contract_by_id_request import SearchContractByIdRequest
from specwire_gen.projectx.models.search_contract_request import SearchContractRequest
from specwire_gen.projectx.models.search_open_order_request import SearchOpenOrderRequest
from specwire_gen.projectx.models.search_order_by_id_request import SearchOrderByIdRequest
from specwire_gen.projectx.models.search_position_request import SearchPositionRequest
from specwire_gen.projectx.models.trading_account_model import TradingAccountModel
from specwire_gen.projectx.types import Unset

from specwire.core.options import request_options
from specwire.projectx import _requests as rq
from specwire.projectx.common import InvalidArgumentError, check_int
from specwire.projectx.errors import (
    AmbiguousOrderError,
    APIConnectionError,
    ContractNotFoundError,
    OrderNotFoundError,
    OrderRejectedError,
    OutcomeUnknownError,
    ProjectXAPIError,
    ServerError,
)

if TYPE_CHECKING:
    from specwire.projectx._base import ProjectXBase

__all__ = [
    "Accounts",
    "Contracts",
    "History",
    "Orders",
    "Positions",
    "Status",
    "Trades",
    "contract_from_response",
    "outcome_unknown",
]

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


def _text(value: Any, arg: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{arg} must be a string, got {value!r}")
    return value


def _flag(value: Any, arg: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{arg} must be True or False, got {value!r}")
    return value


def contract_from_response(parsed: Any, contract_id: str) -> ContractModel:
    """``contract`` or the one-element ``contracts`` array: the spec accepts both forms."""
    single = _model(parsed.contract, ContractModel)
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


def reconciled(order: OrderModel, tag: str) -> rq.PlacedOrder:
    if order.status == OrderStatus.REJECTED:
        err = OrderRejectedError(
            f"Order/place: order {order.id} (customTag {tag!r}) was created and rejected",
            endpoint="Order/place",
            error_name="OrderRejected",
        )
        err.order_id = order.id
        raise err
    return rq.PlacedOrder(order_id=order.id, custom_tag=tag, reconciled=True, order=order)


def ambiguous(tag: str, attempts: int, cause: BaseException) -> AmbiguousOrderError:
    err = AmbiguousOrderError(
        f"Order/place outcome unknown after {type(cause).__name__}; no order with customTag {tag!r} "
        f"found in {attempts} lookup(s). Do not place it again blindly: look it up by this tag.",
        custom_tag=tag,
        endpoint="Order/place",
    )
    err.__cause__ = cause
    return err


class _Resource:
    def __init__(self, client: ProjectXBase) -> None:
        self._client = client


class Accounts(_Resource):
    def search(self, only_active: bool = True) -> list[TradingAccountModel]:
        """``Account/search``: the accounts of this login (only active ones by default)."""
        body = SearchAccountRequest(only_active_accounts=_flag(only_active, "only_active"))
        return _list(self._client.call(search_accounts, "Account/search", body).accounts)


class Contracts(_Resource):
    def search(self, text: str, live: bool = False) -> list[ContractModel]:
        """``Contract/search``: at most 20 contracts matching ``text`` (active months only)."""
        body = SearchContractRequest(search_text=_text(text, "text"), live=_flag(live, "live"))
        return _list(self._client.call(search_contracts, "Contract/search", body).contracts)

    def get(self, contract_id: str) -> ContractModel:
        """``Contract/searchById``: one contract, expired ones included; raises ``ContractNotFoundError``."""
        body = SearchContractByIdRequest(contract_id=rq._contract(contract_id))
        return contract_from_response(
            self._client.call(search_contract_by_id, "Contract/searchById", body), contract_id
        )

    def available(self, live: bool = False) -> list[ContractModel]:
        """``Contract/available``: every contract the login may trade."""
        body = ListAvailableContractRequest(live=_flag(live, "live"))
        return _list(self._client.call(list_available_contracts, "Contract/available", body).contracts)


class History(_Resource):
    def retrieve_bars(
        self,
        contract_id: str,
        start: dt.datetime,
        end: dt.datetime,
        unit: Any,
        unit_number: int,
        *,
        live: bool = False,
        include_partial_bar: bool = False,
        limit: int = rq.MAX_BARS_PER_REQUEST,
    ) -> list[AggregateBarModel]:
        """One ``History/retrieveBars`` request, bars as the Gateway returns them (newest first)."""
        body = rq.bars_request(
            contract_id,
            start,
            end,
            unit,
            unit_number,
            live=live,
            include_partial_bar=include_partial_bar,
            limit=limit,
        )
        return _list(self._client.call(retrieve_bars, "History/retrieveBars", body).bars)

    def bars(
        self,
        contract_id: str,
        start: dt.datetime,
        end: dt.datetime,
        unit: Any,
        unit_number: int = 1,
        live: bool = False,
        include_partial_bar: bool = False,
        *,
        page_size: int = rq.MAX_BARS_PER_REQUEST,
        max_pages: int | None = None,
    ) -> list[AggregateBarModel]:
        """Every bar in ``[start, end]``, oldest first, paging past the 20,000-bar request limit."""
        request = rq.bars_request(
            contract_id,
            start,
            end,
            unit,
            unit_number,
            live=live,
            include_partial_bar=include_partial_bar,
            limit=page_size,
        )
        pager = rq.BarPager(request, max_pages)
        next_request: Any = request
        while next_request is not None:
            page = self._client.call(retrieve_bars, "History/retrieveBars", next_request).bars
            next_request = pager.feed(_list(page))
        return pager.result()


class Orders(_Resource):
    def place(
        self,
        account_id: int,
        contract_id: str,
        type: Any,
        side: Any,
        size: int,
        *,
        limit_price: float | None = None,
        stop_price: float | None = None,
        trail_price: float | None = None,
        custom_tag: str | None = None,
        stop_loss_bracket: Any = None,
        take_profit_bracket: Any = None,
    ) -> rq.PlacedOrder:
        """``Order/place``, sent exactly once, with a ``customTag`` (yours or a generated one).

        When the outcome is unknown (timeout after sending, 5xx, a pending or
        unknown error code) the order is looked up by its tag: the real order
        is returned (``reconciled=True``) or :class:`AmbiguousOrderError`
        carrying the tag is raised. One call never creates two orders.
        """
        body, tag = rq.place_request(
            account_id,
            contract_id,
            type,
            side,
            size,
            limit_price=limit_price,
            stop_price=stop_price,
            trail_price=trail_price,
            custom_tag=custom_tag,
            stop_loss_bracket=stop_loss_bracket,
            take_profit_bracket=take_profit_bracket,
        )
        since = dt.datetime.now(dt.UTC) - rq.RECONCILE_LOOKBACK
        try:
            with request_options(idempotent=False):
                parsed = self._client.call(place_order, "Order/place", body)
        except ProjectXAPIError as exc:
            if not outcome_unknown(exc):
                raise
            return self._reconcile(body.account_id, tag, since, exc)
        if not isinstance(parsed.order_id, int):
            return self._reconcile(
                body.account_id, tag, since, ProjectXAPIError("Order/place: success without an orderId")
            )
        return rq.PlacedOrder(order_id=parsed.order_id, custom_tag=tag)

    def _reconcile(
        self, account_id: int, tag: str, since: dt.datetime, cause: BaseException
    ) -> rq.PlacedOrder:
        logger.warning("Order/place outcome unknown (%s); looking up customTag %r", type(cause).__name__, tag)
        attempts = self._client.reconcile_attempts
        for attempt in range(attempts):
            if attempt:
                time.sleep(self._client.reconcile_delay)
            try:
                found = _matching(self.search(account_id, since), tag)
            except ProjectXAPIError as exc:
                logger.warning("Order lookup for customTag %r failed: %s", tag, exc)
                continue
            if found is not None:
                return reconciled(found, tag)
        raise ambiguous(tag, attempts, cause)

    def find_by_tag(self, account_id: int, custom_tag: str, since: dt.datetime) -> OrderModel | None:
        """The order carrying ``custom_tag`` created after ``since``, or ``None``."""
        return _matching(self.search(account_id, since), _text(custom_tag, "custom_tag"))

    def modify(
        self,
        account_id: int,
        order_id: int,
        *,
        size: int | None = None,
        limit_price: float | None = None,
        stop_price: float | None = None,
        trail_price: float | None = None,
    ) -> None:
        """``Order/modify`` (sent once; a pending code raises ``OrderPendingError``)."""
        body = rq.modify_request(
            account_id,
            order_id,
            size=size,
            limit_price=limit_price,
            stop_price=stop_price,
            trail_price=trail_price,
        )
        with request_options(idempotent=False):
            self._client.call(modify_order, "Order/modify", body)

    def cancel(self, account_id: int, order_id: int) -> None:
        """``Order/cancel`` (sent once)."""
        body = rq.cancel_request(account_id, order_id)
        with request_options(idempotent=False):
            self._client.call(cancel_order, "Order/cancel", body)

    def search(self, account_id: int, start: dt.datetime, end: dt.datetime | None = None) -> list[OrderModel]:
        """``Order/search``: orders created in ``[start, end]``."""
        body = rq.search_orders_request(account_id, start, end)
        return _list(self._client.call(search_orders, "Order/search", body).orders)

    def search_open(self, account_id: int) -> list[OrderModel]:
        """``Order/searchOpen``: working orders (Suspended bracket children are not included)."""
        body = SearchOpenOrderRequest(account_id=check_int(account_id, "account_id"))
        return _list(self._client.call(search_open_orders, "Order/searchOpen", body).orders)

    def get(self, account_id: int, order_id: int) -> OrderModel:
        """``Order/searchById``: one order; raises ``OrderNotFoundError``."""
        body = SearchOrderByIdRequest(
            account_id=check_int(account_id, "account_id"), order_id=check_int(order_id, "order_id")
        )
        order = _model(self._client.call(search_order_by_id, "Order/searchById", body).order, OrderModel)
        if order is None:
            raise OrderNotFoundError(
                f"Order/searchById returned no order {order_id}",
                endpoint="Order/searchById",
                error_name="OrderNotFound",
            )
        return order

    def query(
        self,
        account_id: int,
        *,
        statuses: Any = None,
        contract_id: str | None = None,
        created_after: dt.datetime | None = None,
        created_before: dt.datetime | None = None,
        page_size: int = 100,
        sort_by: Any = 0,
        descending: bool = False,
    ) -> Iterator[OrderModel]:
        """Every order matching the filter via ``Order/v2/query``, fetching pages as you iterate."""
        request = rq.query_request(
            account_id,
            statuses=statuses,
            contract_id=contract_id,
            created_after=created_after,
            created_before=created_before,
            page_size=page_size,
            sort_by=sort_by,
            descending=descending,
        )
        return self._pages(request)

    def _pages(self, request: Any) -> Iterator[OrderModel]:
        while request is not None:
            parsed = self._client.call(query_orders, "Order/v2/query", request)
            orders = _list(parsed.orders)
            yield from orders
            total = parsed.total_count if isinstance(parsed.total_count, int) else None
            request = rq.next_query_page(request, len(orders), total)


class Positions(_Resource):
    def search_open(self, account_id: int) -> list[PositionModel]:
        """``Position/searchOpen``."""
        body = SearchPositionRequest(account_id=check_int(account_id, "account_id"))
        return _list(self._client.call(search_open_positions, "Position/searchOpen", body).positions)

    def close(self, account_id: int, contract_id: str) -> None:
        """``Position/closeContract`` (a market order; sent once). Bracket children stay working."""
        body = rq.close_request(account_id, contract_id)
        with request_options(idempotent=False):
            self._client.call(close_contract_position, "Position/closeContract", body)

    def partial_close(self, account_id: int, contract_id: str, size: int) -> None:
        """``Position/partialCloseContract`` for ``size`` contracts (sent once)."""
        body = rq.partial_close_request(account_id, contract_id, size)
        with request_options(idempotent=False):
            self._client.call(partial_close_contract_position, "Position/partialCloseContract", body)


class Trades(_Resource):
    def search(
        self, account_id: int, start: dt.datetime, end: dt.datetime | None = None
    ) -> list[HalfTradeModel]:
        """``Trade/search``: half-turn fills in ``[start, end]``."""
        body = rq.search_trades_request(account_id, start, end)
        return _list(self._client.call(search_trades, "Trade/search", body).trades)


class Status(_Resource):
    def ping(self) -> str:
        """``GET Status/ping`` (no auth); the Gateway answers ``pong``."""
        response = self._client.call_unauthenticated(ping, "Status/ping")
        return str(response)
