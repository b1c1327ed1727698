"""Live bar builder: trades and quotes to aligned OHLCV bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from specwire.projectx.bars import Bar, BarBuilder, bar_label, bar_seconds

T0 = datetime(2025, 6, 2, 14, 30, tzinfo=UTC)


def trade(sec: float, price: float, vol: int = 1) -> dict:
    return {
        "symbolId": "F.US.ENQ",
        "price": price,
        "timestamp": (T0 + timedelta(seconds=sec)).isoformat(),
        "type": 0,
        "volume": vol,
    }


def test_trades_become_minute_bars_aligned_to_the_epoch() -> None:
    done: list[Bar] = []
    b = BarBuilder.for_unit(2, 1, done.append, contract_id="CON.F.US.ENQ.M25")
    b.add_trades([trade(5, 100, 2), trade(20, 103, 1), trade(40, 99, 4), trade(59.9, 101, 1)])
    assert done == []
    completed = b.add_trade(trade(61, 102, 3))
    assert completed == done and len(done) == 1
    bar = done[0]
    assert (bar.timestamp, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades) == (
        T0,
        100,
        103,
        99,
        101,
        8,
        4,
    )
    assert bar.contract_id == "CON.F.US.ENQ.M25"
    # A quiet minute: the timer flush closes the bar once its interval has passed, not before.
    assert b.flush(T0 + timedelta(seconds=100)) == []
    assert [x.close for x in b.flush(T0 + timedelta(seconds=120))] == [102]
    # A late print for an emitted bar is counted, not applied.
    b.add_trade(trade(30, 50))
    assert b.late_trades == 1 and done[0].low == 99 and b.current is None


def test_five_minute_bars_skip_empty_intervals_and_quotes_add_no_volume() -> None:
    b = BarBuilder(300)
    b.add_trade(trade(0, 10))
    b.add_quote({"lastPrice": 12.5, "timestamp": (T0 + timedelta(seconds=10)).isoformat(), "volume": 999_999})
    b.add_quote({"bestBid": 1.0})  # no last price: ignored
    out = b.add_trade(trade(900, 11))  # 15 minutes later: one bar out, the gap stays a gap
    assert len(out) == 1 and out[0].high == 12.5 and out[0].volume == 1
    assert b.current is not None and b.current.timestamp == T0 + timedelta(minutes=15)


def test_bad_input_is_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="no price"):
        BarBuilder(60).add_trade({"timestamp": T0.isoformat(), "volume": 1})
    with pytest.raises(ValueError, match="no time zone"):
        BarBuilder(60).add_trade({"price": 1, "timestamp": "2025-06-02T14:30:00"})
    with pytest.raises(ValueError, match="positive"):
        BarBuilder(0)
    with pytest.raises(ValueError, match="bar unit 9"):
        bar_label(9, 1)
    assert bar_label(2, 5) == "5min" and bar_seconds(3, 4) == 14400
