"""Friendly enums and argument checks shared by the facade and the seed-style API.

``OrderSide`` / ``OrderType`` are the names callers write (``OrderSide.BUY``,
``"limit"``); they convert to the generated wire enums. Every check here runs
before a request is built, and its error names the argument and the bad value.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from typing import Any

from specwire_gen.projectx.models.aggregate_bar_unit import AggregateBarUnit
from specwire_gen.projectx.models.order_side import OrderSide as WireOrderSide
from specwire_gen.projectx.models.order_status import OrderStatus
from specwire_gen.projectx.models.order_type import OrderType as WireOrderType

from specwire.core.errors import ConfigurationError

__all__ = [
    "AggregateBarUnit",
    "BarUnit",
    "InvalidArgumentError",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "check_aware",
    "check_int",
    "check_positive_int",
    "check_price",
    "parse_bar_unit",
    "parse_side",
    "parse_type",
]


class InvalidArgumentError(ConfigurationError):
    """An argument was refused before anything was sent; the message names it."""


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


BarUnit = AggregateBarUnit

_SIDE_NAMES = {"buy": OrderSide.BUY, "bid": OrderSide.BUY, "long": OrderSide.BUY, "sell": OrderSide.SELL,
               "ask": OrderSide.SELL, "short": OrderSide.SELL}  # fmt: skip
_PLACEABLE_TYPES = frozenset(OrderType) - {OrderType.UNKNOWN}


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def parse_side(value: Any, *, arg: str = "side") -> OrderSide:
    """``OrderSide``, a generated ``OrderSide``, ``0``/``1`` or a name (``"BUY"``, ``"sell"``, ``"bid"``)."""
    if isinstance(value, enum.Enum) and not isinstance(value, OrderSide):
        value = value.value
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{arg} must be BUY or SELL, got {value!r}")
    if isinstance(value, int):
        if value in (0, 1):
            return OrderSide(value)
        raise InvalidArgumentError(f"{arg} must be BUY (0) or SELL (1), got {value!r}")
    if isinstance(value, str) and _norm(value) in _SIDE_NAMES:
        return _SIDE_NAMES[_norm(value)]
    raise InvalidArgumentError(f"unknown {arg} {value!r}; use OrderSide.BUY/SELL or 'BUY'/'SELL'")


def parse_type(value: Any, *, arg: str = "type") -> OrderType:
    """``OrderType``, a generated ``OrderType``, its number or name (``"limit"``, ``"TRAILING_STOP"``)."""
    if isinstance(value, enum.Enum) and not isinstance(value, OrderType):
        value = value.value
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{arg} must be an order type, got {value!r}")
    result: OrderType | None = None
    if isinstance(value, int):
        result = OrderType(value) if value in OrderType._value2member_map_ else None
    elif isinstance(value, str):
        key = _norm(value).upper().replace("TRAILINGSTOP", "TRAILING_STOP").replace("STOPLIMIT", "STOP_LIMIT")
        result = OrderType.__members__.get(key)
    if result is None or result not in _PLACEABLE_TYPES:
        names = ", ".join(t.name for t in sorted(_PLACEABLE_TYPES))
        raise InvalidArgumentError(f"unknown {arg} {value!r}; use one of {names}")
    return result


def parse_bar_unit(value: Any, *, arg: str = "unit") -> AggregateBarUnit:
    """A bar unit as enum, number (1 Second ... 6 Month, 7 Tick) or name (``"minute"``)."""
    if isinstance(value, enum.Enum) and not isinstance(value, AggregateBarUnit):
        value = value.value
    if isinstance(value, AggregateBarUnit) and not getattr(value, "is_unknown", False) and value.value != 0:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return AggregateBarUnit(value)
    if isinstance(value, str):
        member = AggregateBarUnit.__members__.get(_norm(value).upper().rstrip("S"))
        if member is not None and member.value != 0:
            return member
    raise InvalidArgumentError(
        f"unknown {arg} {value!r}; use SECOND, MINUTE, HOUR, DAY, WEEK, MONTH or TICK (1-7)"
    )


def check_positive_int(value: Any, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{arg} must be an int >= 1, got {value!r}")
    return value


def check_int(value: Any, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{arg} must be an int, got {value!r}")
    return value


def check_price(value: Any, arg: str, *, required: bool = False) -> float | None:
    """A finite number, or ``None`` when not ``required``."""
    if value is None:
        if required:
            raise InvalidArgumentError(f"{arg} is required for this order type")
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidArgumentError(f"{arg} must be a positive finite number, got {value!r}")
    return float(value)


def check_aware(value: Any, arg: str, *, optional: bool = False) -> dt.datetime | None:
    """A timezone-aware datetime (naive ones are refused: their instant is ambiguous)."""
    if value is None and optional:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidArgumentError(f"{arg} must be a timezone-aware datetime, got {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidArgumentError(
            f"{arg} is a naive datetime ({value.isoformat()}); pass one with a timezone, e.g. tzinfo=datetime.UTC"
        )
    return value
