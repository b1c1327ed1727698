"""SMA crossover decisions on a recorded price path."""

from __future__ import annotations

import numpy as np
import pytest
from specwire.projectx.strategy import (
    Signal,
    SmaCrossover,
    crossover_signals,
    sma_crossover_signal,
    target_position,
)

# A recorded path: down-trend, turn up (golden cross), then roll over (death cross).
PATH = [110, 108, 106, 104, 102, 100, 99, 98, 99, 101, 104, 107, 110, 112, 113, 112, 109, 105, 101, 98, 96]


def test_crossover_signals_on_recorded_path() -> None:
    inc = SmaCrossover(fast=3, slow=6)
    signals = [inc.update(p) for p in PATH]
    buys = [i for i, s in enumerate(signals) if s is Signal.BUY]
    sells = [i for i, s in enumerate(signals) if s is Signal.SELL]
    assert buys == [10] and sells == [17]  # fast 101.33 > slow 100.17; fast 108.67 < slow 110.17
    assert signals[:6] == [Signal.HOLD] * 6  # warming up
    assert list(crossover_signals(PATH, 3, 6)) == [s.value for s in signals]


def test_single_decision_rules() -> None:
    assert sma_crossover_signal(1.0, 2.0, 3.0, 2.5) is Signal.BUY
    assert sma_crossover_signal(3.0, 2.0, 1.0, 2.5) is Signal.SELL
    assert sma_crossover_signal(3.0, 2.0, 3.1, 2.5) is Signal.HOLD
    assert sma_crossover_signal(None, 2.0, 3.0, 2.5) is Signal.HOLD
    assert sma_crossover_signal(float("nan"), 2.0, 3.0, 2.5) is Signal.HOLD
    with pytest.raises(ValueError, match="fast period"):
        SmaCrossover(10, 5)
    assert np.all(crossover_signals([1.0] * 5, 2, 3) == "HOLD")


def test_target_position_respects_limits() -> None:
    assert target_position(Signal.BUY, 0, size=2, max_position=1) == 1
    assert target_position(Signal.BUY, -1, size=1, max_position=3) == 1
    assert target_position(Signal.BUY, 1, size=1, max_position=3) == 1  # no pyramiding
    assert target_position(Signal.SELL, 1, size=1, max_position=3) == 0
    assert target_position(Signal.SELL, 1, size=1, max_position=3, allow_short=True) == -1
    assert target_position(Signal.HOLD, 3, size=1, max_position=2) == 2  # a lowered limit is enforced
    with pytest.raises(ValueError, match="size"):
        target_position(Signal.BUY, 0, size=0, max_position=1)
