"""``AsyncProjectX``: the asyncio ProjectX Gateway facade, the twin of :mod:`specwire.projectx.client`.

Same arguments, resources, names, checks and results; every request method
is a coroutine and ``orders.query`` is an async iterator.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from specwire.core.options import request_options
from specwire.projectx import _gen, models
from specwire.projectx import _requests as rq
from specwire.projectx._facade import (
    ProjectXBase,
    _list,
    _matching,
    _model,
    ambiguous,
    contract_from_response,
    logger,
    outcome_unknown,
    reconciled,
)
from specwire.projectx._requests import check_flag, check_int, check_text
from specwire.projectx.config import ProjectXConfig
from specwire.projectx.errors import OrderNotFoundError, ProjectXAPIError
from specwire.projectx.models import PlacedOrder

if TYPE_CHECKING:
    from specwire.projectx.models import (
        AggregateBarModel,
        ContractModel,
        HalfTradeModel,
        OrderModel,
        PositionModel,
        TradingAccountModel,
    )

__all__ = [
    "AsyncAccounts",
    "AsyncContracts",
    "AsyncHistory",
    "AsyncOrders",
    "AsyncPositions",
    "AsyncProjectX",
    "AsyncStatus",
    "AsyncTrades",
]


class AsyncProjectX(ProjectXBase):
    """Asyncio ProjectX Gateway client: :class:`ProjectX`'s arguments, resources and methods, awaited."""

    def __init__(self, api_key: str | None = None, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(api_key, username, **kwargs)
        self.accounts = AsyncAccounts(self)
        self.contracts = AsyncContracts(self)
        self.history = AsyncHistory(self)
        self.orders = AsyncOrders(self)
        self.positions = AsyncPositions(self)
        self.trades = AsyncTrades(self)
        self.status = AsyncStatus(self)

    @classmethod
    def from_env(cls, env_file: str | os.PathLike[str] | None = ".env", **kwargs: Any) -> AsyncProjectX:
        """Credentials and hosts from the environment and ``env_file`` (the seed's variable names)."""
        config_keys = {"firm", "api_url", "market_hub_url", "user_hub_url", "timeout", "renew_margin"}
        settings = {
            k: kwargs.pop(k) for k in list(kwargs) if k in config_keys or k in ("api_key", "username")
        }
        return cls(config=ProjectXConfig.from_env(env_file, **settings), **kwargs)

    async def authenticate(self) -> str:
        """Log in now (otherwise the first request does) and return the token."""
        return await self.session.aget_token()

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened."""
        await self._stack.aclose()

    async def __aenter__(self) -> AsyncProjectX:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class _Resource:
    def __init__(self, client: ProjectXBase) -> None:
        self._client = client


class AsyncAccounts(_Resource):
    async def search(self, only_active: bool = True) -> list[TradingAccountModel]:
        """``Account/search``: the accounts of this login (only active ones by default)."""
        body = _gen.SearchAccountRequest(only_active_accounts=check_flag(only_active, "only_active"))
        return _list((await self._client.acall(_gen.search_accounts, "Account/search", body)).accounts)


class AsyncContracts(_Resource):
    async def search(self, text: str, live: bool = False) -> list[ContractModel]:
        """``Contract/search``: at most 20 contracts matching ``text`` (active months only)."""
        body = _gen.SearchContractRequest(search_text=check_text(text, "text"), live=check_flag(live, "live"))
        return _list((await self._client.acall(_gen.search_contracts, "Contract/search", body)).contracts)

    async def get(self, contract_id: str) -> ContractModel:
        """``Contract/searchById``: one contract, expired ones included; raises ``ContractNotFoundError``."""
        body = _gen.SearchContractByIdRequest(contract_id=rq._contract(contract_id))
        return contract_from_response(
            await self._client.acall(_gen.search_contract_by_id, "Contract/searchById", body), contract_id
        )

    async def available(self, live: bool = False) -> list[ContractModel]:
        """``Contract/available``: every contract the login may trade."""
        body = _gen.ListAvailableContractRequest(live=check_flag(live, "live"))
        return _list(
            (await self._client.acall(_gen.list_available_contracts, "Contract/available", body)).contracts
        )


class AsyncHistory(_Resource):
    async def retrieve_bars(
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
        return _list((await self._client.acall(_gen.retrieve_bars, "History/retrieveBars", body)).bars)

    async def bars(
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
            page = (await self._client.acall(_gen.retrieve_bars, "History/retrieveBars", next_request)).bars
            next_request = pager.feed(_list(page))
        return pager.result()


class AsyncOrders(_Resource):
    async def place(
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
    ) -> PlacedOrder:
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
                parsed = await self._client.acall(_gen.place_order, "Order/place", body)
        except ProjectXAPIError as exc:
            if not outcome_unknown(exc):
                raise
            return await self._reconcile(body.account_id, tag, since, exc)
        if not isinstance(parsed.order_id, int):
            return await self._reconcile(
                body.account_id, tag, since, ProjectXAPIError("Order/place: success without an orderId")
            )
        return PlacedOrder(order_id=parsed.order_id, custom_tag=tag)

    async def _reconcile(
        self, account_id: int, tag: str, since: dt.datetime, cause: BaseException
    ) -> PlacedOrder:
        logger.warning("Order/place outcome unknown (%s); looking up customTag %r", type(cause).__name__, tag)
        attempts = self._client.reconcile_attempts
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(self._client.reconcile_delay)
            try:
                found = _matching(await self.search(account_id, since), tag)
            except ProjectXAPIError as exc:
                logger.warning("Order lookup for customTag %r failed: %s", tag, exc)
                continue
            if found is not None:
                return reconciled(found, tag)
        raise ambiguous(tag, attempts, cause)

    async def find_by_tag(self, account_id: int, custom_tag: str, since: dt.datetime) -> OrderModel | None:
        """The order carrying ``custom_tag`` created after ``since``, or ``None``."""
        return _matching(await self.search(account_id, since), check_text(custom_tag, "custom_tag"))

    async def modify(
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
            await self._client.acall(_gen.modify_order, "Order/modify", body)

    async def cancel(self, account_id: int, order_id: int) -> None:
        """``Order/cancel`` (sent once)."""
        body = rq.cancel_request(account_id, order_id)
        with request_options(idempotent=False):
            await self._client.acall(_gen.cancel_order, "Order/cancel", body)

    async def search(
        self, account_id: int, start: dt.datetime, end: dt.datetime | None = None
    ) -> list[OrderModel]:
        """``Order/search``: orders created in ``[start, end]``."""
        body = rq.search_orders_request(account_id, start, end)
        return _list((await self._client.acall(_gen.search_orders, "Order/search", body)).orders)

    async def search_open(self, account_id: int) -> list[OrderModel]:
        """``Order/searchOpen``: working orders (Suspended bracket children are not included)."""
        body = _gen.SearchOpenOrderRequest(account_id=check_int(account_id, "account_id"))
        return _list((await self._client.acall(_gen.search_open_orders, "Order/searchOpen", body)).orders)

    async def get(self, account_id: int, order_id: int) -> OrderModel:
        """``Order/searchById``: one order; raises ``OrderNotFoundError``."""
        body = _gen.SearchOrderByIdRequest(
            account_id=check_int(account_id, "account_id"), order_id=check_int(order_id, "order_id")
        )
        parsed = await self._client.acall(_gen.search_order_by_id, "Order/searchById", body)
        order = _model(parsed.order, models.OrderModel)
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
    ) -> AsyncIterator[OrderModel]:
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

    async def _pages(self, request: Any) -> AsyncIterator[OrderModel]:
        while request is not None:
            parsed = await self._client.acall(_gen.query_orders, "Order/v2/query", request)
            orders = _list(parsed.orders)
            for order in orders:
                yield order
            total = parsed.total_count if isinstance(parsed.total_count, int) else None
            request = rq.next_query_page(request, len(orders), total)


class AsyncPositions(_Resource):
    async def search_open(self, account_id: int) -> list[PositionModel]:
        """``Position/searchOpen``."""
        body = _gen.SearchPositionRequest(account_id=check_int(account_id, "account_id"))
        return _list(
            (await self._client.acall(_gen.search_open_positions, "Position/searchOpen", body)).positions
        )

    async def close(self, account_id: int, contract_id: str) -> None:
        """``Position/closeContract`` (a market order; sent once). Bracket children stay working."""
        body = rq.close_request(account_id, contract_id)
        with request_options(idempotent=False):
            await self._client.acall(_gen.close_contract_position, "Position/closeContract", body)

    async def partial_close(self, account_id: int, contract_id: str, size: int) -> None:
        """``Position/partialCloseContract`` for ``size`` contracts (sent once)."""
        body = rq.partial_close_request(account_id, contract_id, size)
        with request_options(idempotent=False):
            await self._client.acall(
                _gen.partial_close_contract_position, "Position/partialCloseContract", body
            )


class AsyncTrades(_Resource):
    async def search(
        self, account_id: int, start: dt.datetime, end: dt.datetime | None = None
    ) -> list[HalfTradeModel]:
        """``Trade/search``: half-turn fills in ``[start, end]``."""
        body = rq.search_trades_request(account_id, start, end)
        return _list((await self._client.acall(_gen.search_trades, "Trade/search", body)).trades)


class AsyncStatus(_Resource):
    async def ping(self) -> str:
        """``GET Status/ping`` (no auth); the Gateway answers ``pong``."""
        response = await self._client.acall_unauthenticated(_gen.ping, "Status/ping")
        return str(response)
