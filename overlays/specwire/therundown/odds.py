"""Odds arithmetic and the API's special price values.

TheRundown sends American odds as numbers in event snapshots (``150``, ``-180``) and as strings elsewhere
(``"-110"``, ``"-122.0000"``). ``0.0001`` means the book has taken the price *off the board* for now; the
official tooling treats ``0`` the same way. Neither is a price: :func:`parse_price` turns them into the
:data:`OFF_BOARD` marker so they cannot leak into probability, no-vig or best-price maths by accident.
"""

from __future__ import annotations

import enum
import math
from typing import Final

from specwire.core.errors import ConfigurationError

__all__ = [
    "OFF_BOARD",
    "OFF_BOARD_VALUE",
    "OffBoard",
    "Price",
    "american_to_decimal",
    "american_to_probability",
    "decimal_to_american",
    "decimal_to_probability",
    "format_american",
    "is_off_board",
    "parse_price",
    "probability_to_american",
    "probability_to_decimal",
]

OFF_BOARD_VALUE: Final = 0.0001
_TOLERANCE: Final = 1e-6


class OffBoard(enum.Enum):
    """Marker for a price the book has pulled (wire value ``0.0001``, or ``0``)."""

    OFF_BOARD = "OFF_BOARD"

    def __repr__(self) -> str:
        return "OFF_BOARD"

    def __str__(self) -> str:
        return "Off Board"

    def __bool__(self) -> bool:
        return False


OFF_BOARD: Final = OffBoard.OFF_BOARD

#: What :func:`parse_price` returns: American odds as a float, or the off-the-board marker.
Price = float | OffBoard


def is_off_board(value: object) -> bool:
    """True for the sentinel values (``0.0001``, ``"0.0001"``, ``0``) and the marker itself."""
    if value is OFF_BOARD:
        return True
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return abs(number - OFF_BOARD_VALUE) < _TOLERANCE or number == 0.0


def parse_price(value: float | int | str | OffBoard | None) -> Price | None:
    """Wire price (number or string) → float American odds, :data:`OFF_BOARD`, or ``None`` when absent.

    Raises :class:`ValueError` for text that is not a number (naming it), and for values between -100 and
    100 other than the sentinels, which are not valid American odds.
    """
    if value is None or value == "":
        return None
    if value is OFF_BOARD:
        return OFF_BOARD
    if isinstance(value, bool):
        raise ValueError(f"not a price: {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"not a price: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"not a price: {value!r}")
    if is_off_board(number):
        return OFF_BOARD
    if -100 < number < 100:
        raise ValueError(f"not valid American odds (must be <= -100 or >= 100): {value!r}")
    return number


def _american(value: float | int | str | OffBoard) -> float:
    price = parse_price(value)
    if price is None or price is OFF_BOARD:
        raise ConfigurationError(f"no odds to convert: {value!r} is off the board or empty")
    return float(price)


def american_to_decimal(value: float | int | str) -> float:
    """``+150`` → ``2.5``; ``-200`` → ``1.5``. Off-board values raise."""
    a = _american(value)
    return a / 100.0 + 1.0 if a > 0 else 100.0 / -a + 1.0


def american_to_probability(value: float | int | str) -> float:
    """Implied probability (with the book's margin): ``-200`` → ``0.6667``; ``+150`` → ``0.4``."""
    a = _american(value)
    return 100.0 / (a + 100.0) if a > 0 else -a / (-a + 100.0)


def _check_decimal(value: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 1.0
    ):
        raise ConfigurationError(f"decimal odds must be a number > 1.0, got {value!r}")
    return float(value)


def decimal_to_american(value: float) -> float:
    """``2.5`` → ``+150``; ``1.5`` → ``-200``."""
    d = _check_decimal(value)
    return (d - 1.0) * 100.0 if d >= 2.0 else -100.0 / (d - 1.0)


def decimal_to_probability(value: float) -> float:
    return 1.0 / _check_decimal(value)


def _check_probability(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value < 1.0:
        raise ConfigurationError(f"probability must be strictly between 0 and 1, got {value!r}")
    return float(value)


def probability_to_decimal(value: float) -> float:
    return 1.0 / _check_probability(value)


def probability_to_american(value: float) -> float:
    """``0.4`` → ``+150``; ``2/3`` → ``-200``."""
    return decimal_to_american(probability_to_decimal(value))


def format_american(value: float | int | str | OffBoard | None, *, off_board: str = "N/A") -> str:
    """Display form: ``+150``, ``-110``, ``-122.5``; the sentinel (and missing prices) as ``off_board``."""
    price = parse_price(value)
    if price is None or price is OFF_BOARD:
        return off_board
    number = float(price)
    text = f"{number:.0f}" if number.is_integer() else f"{number:g}"
    return f"+{text}" if number > 0 else text
