"""Live bars from the market stream: trades (and optionally quotes) in, OHLCV bars of any size out.

Bars are aligned like the Gateway's history bars (multiples of the bar size
since the Unix epoch, UTC), so a live bar and the ``retrieveBars`` bar for the
same interval share a timestamp and the warm-up history joins the live
series without a seam. A bar is emitted when the first trade of a later
interval arrives, or when :meth:`BarBuilder.flush` is called with a time past
its end (so a quiet market still closes bars on a timer).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

UNIT_SECONDS = {1: 1, 2: 60, 3: 3600, 4: 86400, 5: 7 * 86400}
"""Seconds per ProjectX ``AggregateBarUnit`` (1 Second, 2 Minute, 3 Hour, 4 Day, 5 Week) for fixed-size bars."""

UNIT_LABELS = {1: "s", 2: "min", 3: "h", 4: "d", 5: "w", 6: "mo", 7: "tick"}


def bar_label(unit: int, unit_number: int) -> str:
    """Human and partition-friendly bar size, e.g. ``(2, 5)`` -> ``"5min"``."""
    if unit not in UNIT_LABELS:
        raise ValueError(f"bar unit {unit!r} is not a ProjectX AggregateBarUnit (1..7)")
    if unit_number < 1:
        raise ValueError(f"unit_number must be >= 1, got {unit_number!r}")
    return f"{unit_number}{UNIT_LABELS[unit]}"


def bar_seconds(unit: int, unit_number: int) -> int:
    """Bar length in seconds for fixed-size units (second, minute, hour, day, week)."""
    if unit not in UNIT_SECONDS:
        raise ValueError(f"bar unit {unit!r} has no fixed length (use 1 Second .. 5 Week)")
    if unit_number < 1:
        raise ValueError(f"unit_number must be >= 1, got {unit_number!r}")
    return UNIT_SECONDS[unit] * unit_number


@attrs.define
class Bar:
    """One OHLCV bar; ``timestamp`` is the interval start (UTC)."""

    timestamp: datetime
    open: float
    high: float
    low: float
    close: float
    volume: int = 0
    contract_id: str = ""
    trades: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp,
            "open": self.open,
            "high": self.high,
            "low": self.low,
            "close": self.close,
            "volume": self.volume,
            "contract_id": self.contract_id,
        }


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        ts = value
    elif isinstance(value, str):
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise ValueError(f"trade timestamp {value!r} is neither a datetime nor an ISO string")
    if ts.tzinfo is None:
        raise ValueError(f"trade timestamp {ts.isoformat()!r} has no time zone")
    return ts.astimezone(UTC)


class BarBuilder:
    """Aggregates trades into fixed-size bars and calls ``on_bar`` for each completed bar.

    ``add_trade`` accepts GatewayTrade items (``price``, ``volume``,
    ``timestamp``; dicts or stream models). ``add_quote`` can drive bars from
    ``lastPrice`` where trades are not subscribed; quotes add no volume because
    the Gateway's quote ``volume`` is the session total, not a trade size.
    Trades older than the current bar (late prints after it closed) are
    counted in ``late_trades`` and not applied, so emitted bars never change.
    """

    def __init__(
        self,
        seconds: int,
        on_bar: Callable[[Bar], object] | None = None,
        *,
        contract_id: str = "",
        keep: int = 1000,
    ) -> None:
        if seconds <= 0:
            raise ValueError(f"bar size must be positive seconds, got {seconds!r}")
        self.seconds = seconds
        self.on_bar = on_bar
        self.contract_id = contract_id
        self.current: Bar | None = None
        self.late_trades = 0
        self.completed: deque[Bar] = deque(maxlen=keep)  # the most recent bars, for inspection
        self._last_emitted: datetime | None = None

    @classmethod
    def for_unit(
        cls, unit: int, unit_number: int, on_bar: Callable[[Bar], object] | None = None, **kw: Any
    ) -> BarBuilder:
        return cls(bar_seconds(unit, unit_number), on_bar, **kw)

    def bucket(self, ts: datetime) -> datetime:
        epoch = int(ts.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.seconds, tz=UTC)

    def _emit(self, bar: Bar) -> None:
        self._last_emitted = bar.timestamp
        self.completed.append(bar)
        if self.on_bar is not None:
            self.on_bar(bar)

    def _apply(self, ts: datetime, price: float, volume: int, is_trade: bool) -> list[Bar]:
        start = self.bucket(ts)
        done: list[Bar] = []
        cur = self.current
        closed = self._last_emitted
        if (cur is not None and start < cur.timestamp) or (closed is not None and start <= closed):
            self.late_trades += 1
            return done
        if cur is None or start > cur.timestamp:
            if cur is not None:
                done.append(cur)
            self.current = cur = Bar(start, price, price, price, price, 0, self.contract_id, 0)
        cur.high = max(cur.high, price)
        cur.low = min(cur.low, price)
        cur.close = price
        if is_trade:
            cur.volume += volume
            cur.trades += 1
        for bar in done:
            self._emit(bar)
        return done

    def add_trade(self, trade: Any) -> list[Bar]:
        """Apply one trade; returns the bars it completed (at most one)."""
        price = _field(trade, "price", "p")
        if price is None:
            raise ValueError(f"trade {trade!r} has no price")
        volume = _field(trade, "volume", "size", "v") or 0
        return self._apply(_timestamp(_field(trade, "timestamp", "t")), float(price), int(volume), True)

    def add_trades(self, trades: Iterable[Any]) -> list[Bar]:
        """Apply a GatewayTrade batch (the hub sends a list per event)."""
        done: list[Bar] = []
        for trade in trades:
            done.extend(self.add_trade(trade))
        return done

    def add_quote(self, quote: Any) -> list[Bar]:
        """Apply a quote's ``lastPrice`` (no volume); quotes without a last price are ignored."""
        price = _field(quote, "last_price", "lastPrice")
        stamp = _field(quote, "timestamp", "last_updated", "lastUpdated")
        if price is None or stamp is None:
            return []
        return self._apply(_timestamp(stamp), float(price), 0, False)

    def flush(self, now: datetime | None = None) -> list[Bar]:
        """Emit the current bar if ``now`` is past its end (or unconditionally when ``now`` is None)."""
        cur = self.current
        if cur is None:
            return []
        if now is not None and (now - cur.timestamp).total_seconds() < self.seconds:
            return []
        self.current = None
        self._emit(cur)
        return [cur]
