"""Odds conversions and the off-the-board sentinel."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from specwire.core.errors import ConfigurationError
from specwire.therundown import (
    OFF_BOARD,
    american_to_decimal,
    american_to_probability,
    decimal_to_american,
    decimal_to_probability,
    format_american,
    is_off_board,
    parse_price,
    probability_to_american,
    probability_to_decimal,
)


@pytest.mark.parametrize(
    ("american", "decimal", "probability"),
    [
        (150, 2.5, 0.4),
        (-200, 1.5, 2 / 3),
        (100, 2.0, 0.5),
        (-110, 1 + 100 / 110, 110 / 210),
        ("-122.0000", 1 + 100 / 122, 122 / 222),
    ],
)
def test_american_conversions(american: float | str, decimal: float, probability: float) -> None:
    assert american_to_decimal(american) == pytest.approx(decimal)
    assert american_to_probability(american) == pytest.approx(probability)
    assert decimal_to_probability(decimal) == pytest.approx(probability)
    assert decimal_to_american(decimal) == pytest.approx(float(american))
    assert probability_to_american(probability) == pytest.approx(float(american))
    assert probability_to_decimal(probability) == pytest.approx(decimal)


@given(
    st.one_of(
        st.floats(min_value=100, max_value=100000),
        # -100 and +100 are the same price (even money, decimal 2.0) and convert to +100; floats within
        # rounding distance of -100 land exactly on 2.0, so the negative side starts just below it.
        st.floats(min_value=-100000, max_value=-100.0001),
    )
)
def test_round_trip_through_decimal_and_probability(american: float) -> None:
    assert decimal_to_american(american_to_decimal(american)) == pytest.approx(american, rel=1e-9)
    assert probability_to_american(american_to_probability(american)) == pytest.approx(american, rel=1e-9)


@pytest.mark.parametrize("sentinel", [0.0001, "0.0001", "0.00010", 0, "0", OFF_BOARD])
def test_sentinels_become_the_marker(sentinel: object) -> None:
    assert is_off_board(sentinel)
    assert parse_price(sentinel) is OFF_BOARD  # type: ignore[arg-type]
    assert format_american(sentinel) == "N/A"  # type: ignore[arg-type]
    assert not OFF_BOARD and str(OFF_BOARD) == "Off Board"


@pytest.mark.parametrize("sentinel", [0.0001, "0.0001", 0])
def test_sentinel_is_never_converted_into_odds(sentinel: object) -> None:
    with pytest.raises(ConfigurationError, match="off the board"):
        american_to_decimal(sentinel)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="off the board"):
        american_to_probability(sentinel)  # type: ignore[arg-type]


def test_parse_price_accepts_numbers_and_strings() -> None:
    assert parse_price(150) == 150.0
    assert parse_price("-110") == -110.0
    assert parse_price("-122.0000") == -122.0
    assert parse_price(None) is None and parse_price("") is None


@pytest.mark.parametrize("bad", ["abc", "50", 99.5, float("nan"), True])
def test_parse_price_rejects_non_odds_naming_the_value(bad: object) -> None:
    with pytest.raises(ValueError, match=r"price|odds") as caught:
        parse_price(bad)  # type: ignore[arg-type]
    assert repr(bad)[:3] in str(caught.value)


@pytest.mark.parametrize(
    ("value", "text"), [(150, "+150"), (-180, "-180"), ("-122.0000", "-122"), ("-110.5", "-110.5")]
)
def test_format_american(value: object, text: str) -> None:
    assert format_american(value) == text  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1.0, 0.5, math.inf, "2"])
def test_decimal_input_is_checked(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="decimal odds"):
        decimal_to_american(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, 1, 1.2, -0.1])
def test_probability_input_is_checked(bad: float) -> None:
    with pytest.raises(ConfigurationError, match="probability"):
        probability_to_american(bad)
