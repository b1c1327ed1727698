"""Fixed-point conversion: exact, round-half-even, never truncation (the official SDK truncates)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from specwire.sequence.fixedpoint import from_1e8, from_1e9, from_fixed, to_1e8, to_1e9, to_decimal, to_fixed


@pytest.mark.parametrize(
    ("qty", "raw"),
    [(0.29, 29_000_000), (2.3, 230_000_000), (4.35, 435_000_000), (0.1, 10_000_000), (50, 5_000_000_000)],
)
def test_quantities_the_sdk_truncates_convert_exactly(qty: float, raw: int) -> None:
    assert to_1e8(qty) == raw


@pytest.mark.parametrize(
    ("price", "raw"),
    [
        (0.55, 550_000_000),
        (75000.5, 75_000_500_000_000),
        (2325.53, 2_325_530_000_000),
        (50_000, 50_000_000_000_000),
    ],
)
def test_prices(price: float, raw: int) -> None:
    assert to_1e9(price) == raw


def test_half_way_values_round_to_even() -> None:
    assert to_1e8("0.000000005") == 0
    assert to_1e8("0.000000015") == 2
    assert to_1e8("0.000000025") == 2
    assert to_1e8(Decimal("-0.000000015")) == -2


def test_exact_mode_refuses_values_needing_rounding() -> None:
    assert to_1e8("1.00000001", exact=True) == 100_000_001
    with pytest.raises(ValueError, match=r"qty='1\.000000001' has more than 8 decimal places"):
        to_1e8("1.000000001", exact=True)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "abc", True, None, [1]])
def test_bad_values_are_named(bad: object) -> None:
    with pytest.raises(ValueError, match="qty"):
        to_1e8(bad)  # type: ignore[arg-type]


def test_from_fixed_rejects_non_integers() -> None:
    with pytest.raises(ValueError, match="price_1e9 must be an int"):
        from_1e9(1.5)  # type: ignore[arg-type]
    assert from_1e9(550_000_000) == Decimal("0.55")
    assert from_1e8(29_000_000) == Decimal("0.29")


decimals8 = st.decimals(
    min_value=Decimal("-1e10"), max_value=Decimal("1e10"), places=8, allow_nan=False, allow_infinity=False
)
decimals9 = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=9, allow_nan=False, allow_infinity=False
)


@given(decimals8)
def test_qty_round_trips_exactly(value: Decimal) -> None:
    assert from_1e8(to_1e8(value, exact=True)) == value


@given(decimals9)
def test_price_round_trips_exactly(value: Decimal) -> None:
    assert from_1e9(to_1e9(value, exact=True)) == value


@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_wire_integers_round_trip(raw: int) -> None:
    assert to_1e8(from_1e8(raw)) == raw
    assert to_1e9(from_1e9(raw)) == raw


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_floats_round_half_even_on_their_shortest_decimal(value: float) -> None:
    expected = (Decimal(repr(value)) * 10**8).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert to_1e8(value) == int(expected)
    # never more than half a unit away from what the caller wrote
    assert abs(Decimal(to_1e8(value)) - Decimal(repr(value)) * 10**8) <= Decimal("0.5")


@given(
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
)
def test_conversion_is_monotonic(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert to_1e8(lo) <= to_1e8(hi)


@given(
    st.decimals(
        min_value=Decimal("0"), max_value=Decimal("1e6"), places=12, allow_nan=False, allow_infinity=False
    )
)
def test_never_truncates(value: Decimal) -> None:
    """Truncation would give floor(); rounding gives the nearest integer."""
    scaled = value * 10**8
    assert abs(Decimal(to_fixed(value, 8)) - scaled) <= Decimal("0.5")


def test_to_decimal_reads_strings_and_ints() -> None:
    assert to_decimal(" 1.25 ") == Decimal("1.25")
    assert to_decimal(3) == Decimal(3)
    assert from_fixed(5, 0) == Decimal(5)
