"""Exact fixed-point conversion for Sequence's `_1e8` (quantity) and `_1e9` (price) wire fields.

Why this exists: the official SDK converts with ``int(x * 1e8)``, which truncates binary-float error
(``0.29`` becomes ``28_999_999``). Here a float is first read as the shortest decimal that prints as it
(``repr``), so ``0.29`` means exactly ``Decimal("0.29")``; the scaled value is then rounded half-to-even.
``Decimal``, ``int`` and numeric ``str`` inputs are taken exactly. Nothing is ever truncated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from numbers import Real

__all__ = [
    "PRICE_SCALE",
    "QTY_SCALE",
    "from_1e8",
    "from_1e9",
    "from_fixed",
    "to_1e8",
    "to_1e9",
    "to_decimal",
    "to_fixed",
]

QTY_SCALE = 8
"""``qty_1e8``: quantities are integers x 10**8 (1 BTC = 100_000_000)."""
PRICE_SCALE = 9
"""``price_1e9``: prices are integers x 10**9 ($50 000 = 50_000_000_000_000)."""

_ONE = Decimal(1)

Number = int | float | Decimal | str


def to_decimal(value: Number, *, name: str = "value") -> Decimal:
    """Read ``value`` as the exact decimal the caller meant; reject bools, NaN and infinities."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got bool {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        # repr() is the shortest string that round-trips: 0.29 -> "0.29", not 0.28999999999999998.
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{name} must be a decimal number, got {value!r}") from None
    elif isinstance(value, Real):
        result = Decimal(repr(float(value)))
    else:
        raise ValueError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def to_fixed(value: Number, exponent: int, *, name: str = "value", exact: bool = False) -> int:
    """Scale ``value`` by ``10**exponent`` and round half-to-even to an int.

    With ``exact=True`` a value that needs rounding (more decimals than the scale holds) raises
    ``ValueError`` instead.
    """
    scaled = to_decimal(value, name=name).scaleb(exponent)
    rounded = scaled.quantize(_ONE, rounding=ROUND_HALF_EVEN)
    if exact and rounded != scaled:
        raise ValueError(f"{name}={value!r} has more than {exponent} decimal places")
    return int(rounded)


def from_fixed(raw: int, exponent: int, *, name: str = "value") -> Decimal:
    """Turn a scaled wire integer back into an exact ``Decimal`` (``from_fixed(29_000_000, 8) == Decimal("0.29")``)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"{name} must be an int (a fixed-point wire value), got {raw!r}")
    return Decimal(raw).scaleb(-exponent)


def to_1e8(qty: Number, *, exact: bool = False) -> int:
    """Quantity in human units -> ``qty_1e8`` wire integer (round half-to-even, never truncation)."""
    return to_fixed(qty, QTY_SCALE, name="qty", exact=exact)


def to_1e9(price: Number, *, exact: bool = False) -> int:
    """Price in human units -> ``price_1e9`` wire integer (round half-to-even, never truncation)."""
    return to_fixed(price, PRICE_SCALE, name="price", exact=exact)


def from_1e8(raw: int) -> Decimal:
    """``qty_1e8`` wire integer -> exact quantity."""
    return from_fixed(raw, QTY_SCALE, name="qty_1e8")


def from_1e9(raw: int) -> Decimal:
    """``price_1e9`` wire integer -> exact price."""
    return from_fixed(raw, PRICE_SCALE, name="price_1e9")
