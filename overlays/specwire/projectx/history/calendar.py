"""CME Globex trading sessions: when bars are expected to exist.

A CME equity-index or FX futures session for trade date D runs from 17:00
Chicago time on the previous calendar day to 16:00 Chicago time on D
(Sunday 17:00 opens Monday's session; the hour 16:00-17:00 is the daily
maintenance break). Trade dates are Monday to Friday; exchange holidays and
early closes change every year and are passed in, not guessed. Times are
computed in ``America/Chicago`` so daylight-saving changes move the UTC hours
correctly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import numpy as np

from specwire.history.schema import to_us as _to_us

_US = 1_000_000


def _dates(value: Iterable[date]) -> frozenset[date]:
    return frozenset(value)


@attrs.frozen
class SessionCalendar:
    """Sessions of one exchange product group (defaults: CME Globex equity index / FX futures).

    ``holidays`` are trade dates without a session; ``early_closes`` maps a
    trade date to its early close time (exchange local time).
    """

    timezone: str = "America/Chicago"
    open_time: time = time(17, 0)
    close_time: time = time(16, 0)
    holidays: frozenset[date] = attrs.field(factory=frozenset, converter=_dates)
    early_closes: Mapping[date, time] = attrs.field(factory=dict)

    @property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def trade_date(self, ts: datetime) -> date:
        """The trade date a timestamp belongs to (evenings after the open count for the next day)."""
        local = ts.astimezone(self._tz)
        if local.time() >= self.open_time:
            return local.date() + timedelta(days=1)
        return local.date()

    def is_trading_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def session_bounds(self, day: date) -> tuple[datetime, datetime]:
        """UTC ``(open, close)`` of trade date ``day`` (computed even for holidays)."""
        tz = self._tz
        opened = datetime.combine(day - timedelta(days=1), self.open_time, tzinfo=tz)
        closed = datetime.combine(day, self.early_closes.get(day, self.close_time), tzinfo=tz)
        return opened.astimezone(UTC), closed.astimezone(UTC)

    def trading_days(self, start: datetime, end: datetime) -> Iterator[date]:
        """Trade dates whose session overlaps ``[start, end)``."""
        day = self.trade_date(start)
        last = self.trade_date(end)
        while day <= last:
            if self.is_trading_day(day):
                opened, closed = self.session_bounds(day)
                if opened < end and closed > start:
                    yield day
            day += timedelta(days=1)

    def sessions(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """UTC session intervals overlapping ``[start, end)``, clipped to it."""
        out = []
        for day in self.trading_days(start, end):
            opened, closed = self.session_bounds(day)
            out.append((max(opened, start), min(closed, end)))
        return out

    def is_open(self, ts: datetime) -> bool:
        day = self.trade_date(ts)
        if not self.is_trading_day(day):
            return False
        opened, closed = self.session_bounds(day)
        return opened <= ts < closed

    def expected_bar_starts(self, start: datetime, end: datetime, bar_seconds: int) -> np.ndarray:
        """Start times (int64 µs UTC) of every intraday bar that lies wholly inside a session in ``[start, end)``.

        Bars are aligned to multiples of ``bar_seconds`` since the epoch, as the
        Gateway's minute and hour bars are.
        """
        if bar_seconds <= 0:
            raise ValueError(f"bar_seconds must be positive, got {bar_seconds}")
        step = bar_seconds * _US
        parts = []
        for opened, closed in self.sessions(start, end):
            lo = -(-_to_us(opened) // step) * step
            hi = _to_us(closed) - step  # last start whose bar ends by the close
            if hi >= lo:
                parts.append(np.arange(lo, hi + 1, step, dtype=np.int64))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


CME_GLOBEX = SessionCalendar()


def with_holidays(calendar: SessionCalendar, holidays: Iterable[date]) -> SessionCalendar:
    """A copy of ``calendar`` with more closed trade dates."""
    merged: frozenset[date] = calendar.holidays.union(holidays)
    return attrs.evolve(calendar, holidays=merged)
