"""Technical indicators in two forms: whole-array (backtests, warm-up) and one-bar-at-a-time (live).

Every array form equals the pandas expression named in its docstring (the
tests check this), so results line up with notebooks. Inputs may be lists,
numpy arrays or pandas Series; a Series in gives a Series out with the same
index. The incremental classes (:class:`SMA`, :class:`EMA`, :class:`RSI`,
:class:`ATR`, :class:`VWAP`) update in O(1) per bar and produce the same
numbers as the array forms fed the same bars.

The recursive filters (EMA, Wilder smoothing) run as one tight loop over a
Python list: there is no closed form that stays exact over long arrays, and
the loop costs well under a second per million bars.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

NAN = float("nan")


def _as_array(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"expected a 1-D series of values, got shape {arr.shape}")
    return arr


def _like(template: Any, result: np.ndarray, name: str) -> Any:
    if hasattr(template, "index") and hasattr(template, "to_numpy") and getattr(template, "ndim", 1) == 1:
        import pandas as pd

        return pd.Series(result, index=template.index, name=name)
    return result


def _check_period(period: int) -> int:
    if not isinstance(period, int) or isinstance(period, bool) or period < 1:
        raise ValueError(f"period must be a positive integer, got {period!r}")
    return period


def sma(values: Any, period: int) -> Any:
    """Simple moving average; equals ``pd.Series(values).rolling(period).mean()`` (NaN until full)."""
    _check_period(period)
    x = _as_array(values)
    out = np.full(len(x), NAN)
    if len(x) >= period:
        # Centre before summing so the running sum stays small and exact enough for long series.
        base = x[0] if len(x) else 0.0
        csum = np.cumsum(np.concatenate(([0.0], x - base)))
        out[period - 1 :] = (csum[period:] - csum[:-period]) / period + base
    return _like(values, out, f"sma_{period}")


def _recursive_mean(x: np.ndarray, alpha: float, min_periods: int) -> np.ndarray:
    """``pd.Series(x).ewm(alpha=alpha, adjust=False, min_periods=min_periods).mean()`` for NaN only at the start."""
    out = [NAN] * len(x)
    state = NAN
    seen = 0
    keep = 1.0 - alpha
    for i, v in enumerate(x.tolist()):
        if v != v:  # NaN: pandas keeps the state and emits it once min_periods is met
            if seen >= min_periods and seen:
                out[i] = state
            continue
        state = v if seen == 0 else keep * state + alpha * v
        seen += 1
        if seen >= min_periods:
            out[i] = state
    return np.asarray(out, dtype=np.float64)


def ema(values: Any, period: int) -> Any:
    """Exponential moving average; equals ``pd.Series(values).ewm(span=period, adjust=False).mean()``."""
    _check_period(period)
    out = _recursive_mean(_as_array(values), 2.0 / (period + 1), 0)
    return _like(values, out, f"ema_{period}")


def rsi(close: Any, period: int = 14) -> Any:
    """Wilder's RSI; equals the pandas expression::

    d = close.diff(); g = d.clip(lower=0); l = -d.clip(upper=0)
    ag = g.ewm(alpha=1/period, adjust=False, min_periods=period).mean()
    al = l.ewm(alpha=1/period, adjust=False, min_periods=period).mean()
    100 - 100 / (1 + ag / al)
    """
    _check_period(period)
    x = _as_array(close)
    delta = np.concatenate(([NAN], np.diff(x)))
    gains = np.where(np.isnan(delta), NAN, np.clip(delta, 0.0, None))
    losses = np.where(np.isnan(delta), NAN, -np.clip(delta, None, 0.0))
    ag = _recursive_mean(gains, 1.0 / period, period)
    al = _recursive_mean(losses, 1.0 / period, period)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 - 100.0 / (1.0 + ag / al)
    return _like(close, out, f"rsi_{period}")


def true_range(high: Any, low: Any, close: Any) -> np.ndarray:
    """``max(high-low, |high-prev close|, |low-prev close|)``; the first bar is ``high-low``."""
    h, lo, c = _as_array(high), _as_array(low), _as_array(close)
    prev = np.concatenate(([NAN], c[:-1]))
    tr = h - lo
    with np.errstate(invalid="ignore"):
        tr = np.fmax(tr, np.fmax(np.abs(h - prev), np.abs(lo - prev)))
    return tr


def atr(high: Any, low: Any, close: Any, period: int = 14) -> Any:
    """Average true range with Wilder smoothing; equals
    ``true_range.ewm(alpha=1/period, adjust=False, min_periods=period).mean()``."""
    _check_period(period)
    out = _recursive_mean(true_range(high, low, close), 1.0 / period, period)
    return _like(close, out, f"atr_{period}")


def vwap(high: Any, low: Any, close: Any, volume: Any, session: Any = None) -> Any:
    """Volume-weighted average of the typical price ``(h+l+c)/3``, cumulative, restarting when ``session`` changes.

    Equals ``(tp*v).groupby(session).cumsum() / v.groupby(session).cumsum()``
    (``session`` e.g. the trade date per bar; ``None`` = one running total).
    """
    tp = (_as_array(high) + _as_array(low) + _as_array(close)) / 3.0
    v = _as_array(volume)
    pv = np.cumsum(tp * v)
    cv = np.cumsum(v)
    if session is not None:
        keys = np.asarray(session)
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        seg = np.repeat(starts, np.diff(np.concatenate((starts, [len(keys)]))))
        pv_before = np.concatenate(([0.0], pv))[seg]
        cv_before = np.concatenate(([0.0], cv))[seg]
        pv, cv = pv - pv_before, cv - cv_before
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pv / cv
    return _like(close, out, "vwap")


def with_indicators(
    df: Any, *, fast: int = 10, slow: int = 30, rsi_period: int = 14, atr_period: int = 14
) -> Any:
    """Add ``sma_<fast>``, ``sma_<slow>``, ``ema_<fast>``, ``rsi_<n>``, ``atr_<n>`` columns to a bar DataFrame (copy)."""
    out = df.copy()
    out[f"sma_{fast}"] = sma(out["close"], fast)
    out[f"sma_{slow}"] = sma(out["close"], slow)
    out[f"ema_{fast}"] = ema(out["close"], fast)
    out[f"rsi_{rsi_period}"] = rsi(out["close"], rsi_period)
    out[f"atr_{atr_period}"] = atr(out["high"], out["low"], out["close"], atr_period)
    return out


class SMA:
    """Incremental simple moving average: ``update(x)`` returns the mean of the last ``period`` values or None."""

    _RESYNC = 1024  # recompute the running sum from the window this often, so float drift never accumulates

    def __init__(self, period: int) -> None:
        self.period = _check_period(period)
        self._window: deque[float] = deque(maxlen=period)
        self._sum = 0.0
        self._n = 0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        if len(self._window) == self.period:
            self._sum -= self._window[0]
        self._window.append(float(x))
        self._sum += float(x)
        self._n += 1
        if self._n % self._RESYNC == 0:
            self._sum = math.fsum(self._window)
        self.value = self._sum / self.period if len(self._window) == self.period else None
        return self.value


class _Recursive:
    def __init__(self, alpha: float, min_periods: int) -> None:
        self._alpha = alpha
        self._min = min_periods
        self._state = NAN
        self._seen = 0

    def _step(self, x: float) -> float | None:
        self._state = x if self._seen == 0 else (1.0 - self._alpha) * self._state + self._alpha * x
        self._seen += 1
        return self._state if self._seen >= self._min else None


class EMA(_Recursive):
    """Incremental EMA (``span=period``, ``adjust=False``): the first value seeds it."""

    def __init__(self, period: int) -> None:
        super().__init__(2.0 / (_check_period(period) + 1), 0)
        self.period = period
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        self.value = self._step(float(x))
        return self.value


class RSI:
    """Incremental Wilder RSI, equal to :func:`rsi` bar by bar (None until ``period`` changes are seen)."""

    def __init__(self, period: int = 14) -> None:
        self.period = _check_period(period)
        self._gain = _Recursive(1.0 / period, period)
        self._loss = _Recursive(1.0 / period, period)
        self._prev: float | None = None
        self.value: float | None = None

    def update(self, close: float) -> float | None:
        close = float(close)
        if self._prev is None:
            self._prev = close
            return None
        delta = close - self._prev
        self._prev = close
        ag = self._gain._step(max(delta, 0.0))
        al = self._loss._step(max(-delta, 0.0))
        if ag is None or al is None:
            self.value = None
        elif al == 0.0:
            self.value = 100.0 if ag > 0 else NAN
        else:
            self.value = 100.0 - 100.0 / (1.0 + ag / al)
        return self.value


class ATR:
    """Incremental Wilder ATR, equal to :func:`atr` bar by bar."""

    def __init__(self, period: int = 14) -> None:
        self.period = _check_period(period)
        self._avg = _Recursive(1.0 / period, period)
        self._prev_close: float | None = None
        self.value: float | None = None

    def update(self, high: float, low: float, close: float) -> float | None:
        tr = high - low
        if self._prev_close is not None:
            tr = max(tr, abs(high - self._prev_close), abs(low - self._prev_close))
        self._prev_close = float(close)
        self.value = self._avg._step(float(tr))
        return self.value


class VWAP:
    """Incremental VWAP of the typical price; call :meth:`reset` at each session start."""

    def __init__(self) -> None:
        self._pv = 0.0
        self._v = 0.0
        self.value: float | None = None

    def reset(self) -> None:
        self._pv = self._v = 0.0
        self.value = None

    def update(self, high: float, low: float, close: float, volume: float) -> float | None:
        self._pv += (high + low + close) / 3.0 * volume
        self._v += volume
        self.value = self._pv / self._v if self._v else None
        return self.value
