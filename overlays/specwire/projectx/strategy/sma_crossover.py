"""SMA crossover: buy when the fast average crosses above the slow one, sell when it crosses below.

A cross needs both averages on two consecutive bars: ``BUY`` when
``fast_prev <= slow_prev`` and ``fast_now > slow_now``, ``SELL`` on the mirror
image, ``HOLD`` otherwise (including while either average is still warming
up). :func:`target_position` turns a signal into the position the strategy
wants, within a position limit.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from specwire.projectx.indicators import SMA, sma


class Signal(enum.StrEnum):
    BUY = "BUY"
    SELL = "SELL"
    HOLD = "HOLD"


def sma_crossover_signal(
    fast_prev: float | None, slow_prev: float | None, fast_now: float | None, slow_now: float | None
) -> Signal:
    """The decision for one bar from the previous and current fast/slow averages."""
    values = (fast_prev, slow_prev, fast_now, slow_now)
    if any(v is None or v != v for v in values):  # None or NaN: not warmed up
        return Signal.HOLD
    assert fast_prev is not None and slow_prev is not None and fast_now is not None and slow_now is not None
    if fast_prev <= slow_prev and fast_now > slow_now:
        return Signal.BUY
    if fast_prev >= slow_prev and fast_now < slow_now:
        return Signal.SELL
    return Signal.HOLD


def _check_periods(fast: int, slow: int) -> None:
    if fast >= slow:
        raise ValueError(f"fast period ({fast}) must be shorter than slow period ({slow})")


def crossover_signals(closes: Any, fast: int, slow: int) -> np.ndarray:
    """Signals for every bar of a close series (array of :class:`Signal` values), for backtests."""
    _check_periods(fast, slow)
    f = np.asarray(sma(np.asarray(closes, dtype=np.float64), fast))
    s = np.asarray(sma(np.asarray(closes, dtype=np.float64), slow))
    out = np.full(len(f), Signal.HOLD.value, dtype=object)
    if len(f) > 1:
        fp, sp, fn, sn = f[:-1], s[:-1], f[1:], s[1:]
        with np.errstate(invalid="ignore"):
            up = (fp <= sp) & (fn > sn)
            down = (fp >= sp) & (fn < sn)
        out[1:][up] = Signal.BUY.value
        out[1:][down] = Signal.SELL.value
    return out


class SmaCrossover:
    """Incremental crossover detector: feed closes with :meth:`update`, get a :class:`Signal` per bar."""

    def __init__(self, fast: int = 10, slow: int = 30) -> None:
        _check_periods(fast, slow)
        self.fast = SMA(fast)
        self.slow = SMA(slow)
        self._prev: tuple[float | None, float | None] = (None, None)
        self.last_signal = Signal.HOLD

    @property
    def warmed_up(self) -> bool:
        return self.slow.value is not None

    def update(self, close: float) -> Signal:
        f = self.fast.update(close)
        s = self.slow.update(close)
        signal = sma_crossover_signal(self._prev[0], self._prev[1], f, s)
        self._prev = (f, s)
        self.last_signal = signal
        return signal


def target_position(
    signal: Signal, current: int, *, size: int, max_position: int, allow_short: bool = False
) -> int:
    """The position the strategy wants after ``signal``, clamped to ``[-max_position, max_position]``.

    ``BUY`` goes long ``size`` from flat or short (a short is closed first);
    ``SELL`` goes short ``size`` when shorting is allowed, else flat; ``HOLD``
    keeps ``current`` (still clamped, so a lowered limit is enforced).
    """
    if size < 1 or max_position < 0:
        raise ValueError(
            f"size must be >= 1 and max_position >= 0, got size={size}, max_position={max_position}"
        )
    if signal is Signal.BUY:
        want = size if current <= 0 else current
    elif signal is Signal.SELL:
        want = -size if allow_short else 0
        if current < 0 and allow_short:
            want = current
    else:
        want = current
    return max(-max_position, min(max_position, want))
