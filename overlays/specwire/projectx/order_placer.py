"""``OrderPlacer``: the seed library's order helper, over :class:`APIClient` / :class:`ProjectX`.

``place_*`` return the order id, or ``None`` when the Gateway rejected the
order (the rejection is logged with its code and message). An outcome that
is *unknown* is never turned into ``None``: if the order cannot be found by
its tag, :class:`~specwire.projectx.errors.AmbiguousOrderError` propagates,
because "maybe placed" must not look like "not placed".

Brackets follow what was observed live (reference §3.6): ticks are signed
offsets from the entry — for a BUY the stop-loss is negative and the
take-profit positive, for a SELL the reverse — with a STOP stop-loss leg and
a LIMIT take-profit leg. Wrong signs are refused before sending.
"""

from __future__ import annotations

import logging
from typing import Any

from specwire.projectx._requests import check_int
from specwire.projectx.api_client import APIClient
from specwire.projectx.client import ProjectX
from specwire.projectx.errors import GatewayError, InvalidArgumentError, OutcomeUnknownError
from specwire.projectx.models import Bracket, OrderType

__all__ = ["OrderPlacer"]

logger = logging.getLogger("specwire.projectx.orders")


class OrderPlacer:
    """Simple order entry for one account and a default contract (the seed's ``OrderPlacer``)."""

    def __init__(
        self, api_client: APIClient | ProjectX, account_id: int, default_contract_id: str | None = None
    ) -> None:
        if isinstance(api_client, APIClient):
            self._px = api_client.px
        elif isinstance(api_client, ProjectX):
            self._px = api_client
        else:
            raise InvalidArgumentError(
                f"api_client must be an APIClient or ProjectX, got {type(api_client).__name__}"
            )
        self.api_client = api_client
        self.account_id = check_int(account_id, "account_id")
        self.default_contract_id = default_contract_id

    def _contract(self, contract_id: str | None) -> str:
        chosen = contract_id or self.default_contract_id
        if not chosen:
            raise InvalidArgumentError("contract_id is required (no default_contract_id was given)")
        return chosen

    def _place(
        self, contract_id: str | None, order_type: Any, side: Any, size: Any, **extra: Any
    ) -> int | None:
        try:
            placed = self._px.orders.place(
                self.account_id, self._contract(contract_id), order_type, side, size, **extra
            )
        except OutcomeUnknownError:
            raise
        except GatewayError as exc:
            logger.error("Order rejected: %s", exc)
            return None
        return placed.order_id

    def place_market_order(self, side: Any, size: int = 1, contract_id: str | None = None) -> int | None:
        return self._place(contract_id, OrderType.MARKET, side, size)

    def place_limit_order(
        self, side: Any, size: int, limit_price: float, contract_id: str | None = None
    ) -> int | None:
        return self._place(contract_id, OrderType.LIMIT, side, size, limit_price=limit_price)

    def place_stop_order(
        self, side: Any, size: int, stop_price: float, contract_id: str | None = None
    ) -> int | None:
        return self._place(contract_id, OrderType.STOP, side, size, stop_price=stop_price)

    def place_trailing_stop_order(
        self, side: Any, size: int, trail_price: float, contract_id: str | None = None
    ) -> int | None:
        """Trailing stop; ``trail_price`` is an absolute price level (the Gateway derives the distance)."""
        return self._place(contract_id, OrderType.TRAILING_STOP, side, size, trail_price=trail_price)

    def place_bracket_order(
        self,
        side: Any,
        size: int,
        stop_loss_ticks: int,
        take_profit_ticks: int,
        entry_type: Any = OrderType.MARKET,
        limit_price: float | None = None,
        stop_price: float | None = None,
        contract_id: str | None = None,
    ) -> int | None:
        """Entry with native stop-loss (STOP) and take-profit (LIMIT) legs at signed tick offsets."""
        return self._place(
            contract_id,
            entry_type,
            side,
            size,
            limit_price=limit_price,
            stop_price=stop_price,
            stop_loss_bracket=Bracket(check_int(stop_loss_ticks, "stop_loss_ticks"), OrderType.STOP),
            take_profit_bracket=Bracket(check_int(take_profit_ticks, "take_profit_ticks"), OrderType.LIMIT),
        )

    def modify_order(
        self,
        order_id: int,
        new_size: int | None = None,
        new_limit_price: float | None = None,
        new_stop_price: float | None = None,
        new_trail_price: float | None = None,
    ) -> bool:
        """True when the Gateway accepted the change; False when it refused (logged)."""
        try:
            self._px.orders.modify(
                self.account_id,
                order_id,
                size=new_size,
                limit_price=new_limit_price,
                stop_price=new_stop_price,
                trail_price=new_trail_price,
            )
        except OutcomeUnknownError:
            raise
        except GatewayError as exc:
            logger.error("Modify of order %s refused: %s", order_id, exc)
            return False
        return True

    def cancel_order(self, order_id: int) -> bool:
        """True when cancelled; False when the Gateway refused (not found, already filled, ...)."""
        try:
            self._px.orders.cancel(self.account_id, order_id)
        except OutcomeUnknownError:
            raise
        except GatewayError as exc:
            logger.error("Cancel of order %s refused: %s", order_id, exc)
            return False
        return True
