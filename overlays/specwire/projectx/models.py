"""The typed models and enums the ProjectX facade takes and returns, under public names.

* :class:`OrderSide` / :class:`OrderType` (defined in :mod:`specwire.projectx.common`, where
  tsxapipy code imports them from) are the names callers write (``OrderSide.BUY``, ``"limit"``);
  they convert to the generated wire enums with ``to_wire()``.
* :class:`OrderStatus` and :data:`BarUnit` (``AggregateBarUnit``) are the generated enums.
* :class:`Bracket` is a native bracket leg of ``orders.place``; :class:`PlacedOrder` is its outcome.
* The REST models the resources return are the generated attrs classes of
  ``specwire_gen.projectx.models``, re-exported here: :class:`TradingAccountModel`,
  :class:`ContractModel`, :class:`AggregateBarModel`, :class:`OrderModel`,
  :class:`PositionModel`, :class:`HalfTradeModel`.

The stream events are :mod:`specwire.projectx.streams`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from specwire_gen.projectx.models.aggregate_bar_unit import AggregateBarUnit
from specwire_gen.projectx.models.order_status import OrderStatus

from specwire.core.lazy import lazy_exports
from specwire.projectx.common import OrderSide, OrderType

if TYPE_CHECKING:  # the REST models load on first use
    from specwire_gen.projectx.models.aggregate_bar_model import AggregateBarModel
    from specwire_gen.projectx.models.contract_model import ContractModel
    from specwire_gen.projectx.models.half_trade_model import HalfTradeModel
    from specwire_gen.projectx.models.order_model import OrderModel
    from specwire_gen.projectx.models.position_model import PositionModel
    from specwire_gen.projectx.models.trading_account_model import TradingAccountModel

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.projectx.models.aggregate_bar_model": ("AggregateBarModel",),
            "specwire_gen.projectx.models.contract_model": ("ContractModel",),
            "specwire_gen.projectx.models.half_trade_model": ("HalfTradeModel",),
            "specwire_gen.projectx.models.order_model": ("OrderModel",),
            "specwire_gen.projectx.models.position_model": ("PositionModel",),
            "specwire_gen.projectx.models.trading_account_model": ("TradingAccountModel",),
        },
    )

__all__ = [
    "AggregateBarModel",
    "AggregateBarUnit",
    "BarUnit",
    "Bracket",
    "ContractModel",
    "HalfTradeModel",
    "OrderModel",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "PlacedOrder",
    "PositionModel",
    "TradingAccountModel",
]


BarUnit = AggregateBarUnit


@attrs.frozen
class Bracket:
    """A native bracket leg: signed ``ticks`` from the entry price and the leg's order type.

    Observed live (reference §3.6): for a long entry the stop-loss is below
    (negative ticks) and the take-profit above (positive); a short reverses
    both. Stop-loss legs use ``STOP``, take-profit legs ``LIMIT``.
    """

    ticks: int
    type: OrderType = OrderType.STOP


@attrs.frozen
class PlacedOrder:
    """The outcome of ``orders.place``.

    ``reconciled`` is true when the response was lost (timeout, 5xx, a
    pending code) and the order was found afterwards by ``custom_tag``;
    ``order`` then holds what the lookup returned.
    """

    order_id: int
    custom_tag: str
    reconciled: bool = False
    order: OrderModel | None = None

    def __int__(self) -> int:
        return self.order_id
