"""The order enums tsxapipy's ``common`` module offers, where ported code imports them from.

``OrderSide`` keeps the seed's ``BUY``/``SELL`` names beside the Gateway's ``BID``/``ASK``
(same values); ``OrderType`` carries the Gateway's numeric values (reference §4). Both convert
to the generated wire enums with ``to_wire()``; :mod:`specwire.projectx.models` re-exports them.
"""

from __future__ import annotations

import enum

from specwire_gen.projectx.models.order_side import OrderSide as WireOrderSide
from specwire_gen.projectx.models.order_type import OrderType as WireOrderType

__all__ = ["OrderSide", "OrderType"]


class OrderSide(enum.IntEnum):
    """Order side. ``BUY``/``SELL`` are the seed's names; ``BID``/``ASK`` the Gateway's (same values)."""

    BUY = 0
    SELL = 1
    BID = 0
    ASK = 1

    def to_wire(self) -> WireOrderSide:
        return WireOrderSide(int(self))

    @property
    def opposite(self) -> OrderSide:
        return OrderSide.SELL if self is OrderSide.BUY else OrderSide.BUY


class OrderType(enum.IntEnum):
    """Order type with the Gateway's numeric values (reference §4)."""

    UNKNOWN = 0
    LIMIT = 1
    MARKET = 2
    STOP_LIMIT = 3
    STOP = 4
    TRAILING_STOP = 5
    JOIN_BID = 6
    JOIN_ASK = 7

    def to_wire(self) -> WireOrderType:
        return WireOrderType(int(self))
