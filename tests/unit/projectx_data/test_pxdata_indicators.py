"""Indicators equal the pandas reference expressions, and the incremental forms equal the array forms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from specwire.projectx.indicators import (
    ATR,
    EMA,
    RSI,
    SMA,
    VWAP,
    atr,
    ema,
    rsi,
    sma,
    true_range,
    vwap,
    with_indicators,
)


@pytest.fixture
def ohlcv() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    close = 4000 + np.cumsum(rng.normal(0, 2, 3000))
    high = close + rng.random(3000) * 3
    low = close - rng.random(3000) * 3
    vol = rng.integers(1, 500, 3000).astype(float)
    day = np.repeat(np.arange(10), 300)
    return pd.DataFrame({"high": high, "low": low, "close": close, "volume": vol, "day": day})


@pytest.mark.parametrize("period", [1, 2, 14, 50])
def test_sma_and_ema_equal_pandas(ohlcv: pd.DataFrame, period: int) -> None:
    c = ohlcv["close"]
    pd.testing.assert_series_equal(sma(c, period), c.rolling(period).mean(), check_names=False, rtol=1e-12)
    pd.testing.assert_series_equal(
        ema(c, period), c.ewm(span=period, adjust=False).mean(), check_names=False, rtol=1e-12
    )
    # Plain lists and arrays give arrays.
    np.testing.assert_allclose(sma(c.tolist(), period), c.rolling(period).mean().to_numpy(), rtol=1e-12)


def test_rsi_and_atr_equal_wilder_pandas(ohlcv: pd.DataFrame) -> None:
    c, h, lo = ohlcv["close"], ohlcv["high"], ohlcv["low"]
    n = 14
    d = c.diff()
    ag = d.clip(lower=0).ewm(alpha=1 / n, adjust=False, min_periods=n).mean()
    al = (-d.clip(upper=0)).ewm(alpha=1 / n, adjust=False, min_periods=n).mean()
    pd.testing.assert_series_equal(rsi(c, n), 100 - 100 / (1 + ag / al), check_names=False, rtol=1e-10)
    tr = pd.concat([h - lo, (h - c.shift()).abs(), (lo - c.shift()).abs()], axis=1).max(axis=1)
    np.testing.assert_allclose(true_range(h, lo, c), tr.to_numpy(), rtol=1e-12)
    expected_atr = tr.ewm(alpha=1 / n, adjust=False, min_periods=n).mean()
    pd.testing.assert_series_equal(atr(h, lo, c, n), expected_atr, check_names=False, rtol=1e-12)


def test_vwap_equals_grouped_cumsum(ohlcv: pd.DataFrame) -> None:
    tp = (ohlcv["high"] + ohlcv["low"] + ohlcv["close"]) / 3
    v = ohlcv["volume"]
    expected = (tp * v).groupby(ohlcv["day"]).cumsum() / v.groupby(ohlcv["day"]).cumsum()
    got = vwap(ohlcv["high"], ohlcv["low"], ohlcv["close"], v, session=ohlcv["day"])
    pd.testing.assert_series_equal(got, expected, check_names=False, rtol=1e-9)
    whole = vwap(ohlcv["high"], ohlcv["low"], ohlcv["close"], v)
    np.testing.assert_allclose(whole, ((tp * v).cumsum() / v.cumsum()).to_numpy(), rtol=1e-12)


def test_incremental_forms_match_array_forms(ohlcv: pd.DataFrame) -> None:
    s, e, r, a, w = SMA(20), EMA(20), RSI(14), ATR(14), VWAP()
    got: dict[str, list[float]] = {"sma": [], "ema": [], "rsi": [], "atr": [], "vwap": []}
    prev_day = None
    for row in ohlcv.itertuples():
        if row.day != prev_day:
            w.reset()
            prev_day = row.day
        for name, value in (
            ("sma", s.update(row.close)),
            ("ema", e.update(row.close)),
            ("rsi", r.update(row.close)),
            ("atr", a.update(row.high, row.low, row.close)),
            ("vwap", w.update(row.high, row.low, row.close, row.volume)),
        ):
            got[name].append(np.nan if value is None else value)
    c = ohlcv["close"]
    np.testing.assert_allclose(got["sma"], sma(c, 20).to_numpy(), rtol=1e-9, equal_nan=True)
    np.testing.assert_allclose(got["ema"], ema(c, 20).to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(got["rsi"], rsi(c, 14).to_numpy(), rtol=1e-10, equal_nan=True)
    np.testing.assert_allclose(
        got["atr"], atr(ohlcv["high"], ohlcv["low"], c, 14).to_numpy(), rtol=1e-12, equal_nan=True
    )
    np.testing.assert_allclose(
        got["vwap"],
        vwap(ohlcv["high"], ohlcv["low"], c, ohlcv["volume"], session=ohlcv["day"]).to_numpy(),
        rtol=1e-9,
    )


def test_sma_running_sum_does_not_drift() -> None:
    s = SMA(3)
    values = [1e9, 1.0, 2.0, 3.0] * 5000
    for v in values:
        s.update(v)
    assert s.value == pytest.approx(sum(values[-3:]) / 3, rel=1e-12)


def test_with_indicators_and_bad_periods(ohlcv: pd.DataFrame) -> None:
    out = with_indicators(ohlcv, fast=5, slow=20)
    assert {"sma_5", "sma_20", "ema_5", "rsi_14", "atr_14"} <= set(out.columns)
    assert "sma_5" not in ohlcv.columns
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="period"):
            sma([1, 2, 3], bad)  # type: ignore[arg-type]
    assert np.isnan(sma([1.0, 2.0], 3)).all()
