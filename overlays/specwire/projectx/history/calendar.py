"""CME Globex trading sessions: when bars are expected to exist.

A CME equity-index or FX futures session for trade date D runs from 17:00
Chicago time on the previous calendar day to 16:00 Chicago time on D
(Sunday 17:00 opens Monday's session; the hour 16:00-17:00 is the daily
maintenance break). Trade dates are Monday to Friday; exchange holidays and
early closes change every year and are passed in, not guessed. Times are
computed in ``America/Chicago`` so daylight-saving changes move the UTC hours
correctly.

CME Globex energy, metals and Treasury futures keep the same hours. CBOT
grains do not (19:00-07:45 and 08:30-13:20 Chicago time): for intraday grain
bars pass e.g. ``SessionCalendar(open_time=time(19), close_time=time(13, 20))``
(the morning pause then shows up as gaps, recorded unfillable after one
request). Daily and weekly bars are matched per trade date / week, so the
session hours matter little for them.
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

    # -- daily and weekly bars ------------------------------------------------------------------
    #
    # Whether the Gateway stamps a daily bar at UTC midnight, at the session open or at
    # the close is not documented (reference §5.3), so daily bars are compared by trade
    # date, not by exact timestamp: each trade date is keyed by its session open.

    def day_key(self, day: date) -> int:
        """Key of trade date ``day`` for daily gap finding: its session open, µs UTC."""
        return _to_us(self.session_bounds(day)[0])

    def day_keys(self, stamps_us: np.ndarray) -> np.ndarray:
        """Keys of the trade dates that bars stamped ``stamps_us`` belong to (any stamp inside the session day)."""
        tz = self._tz
        cache: dict[date, int] = {}
        out = np.empty(len(stamps_us), dtype=np.int64)
        for i, us in enumerate(np.asarray(stamps_us, dtype=np.int64).tolist()):
            day = self.trade_date(datetime.fromtimestamp(us / _US, tz))
            key = cache.get(day)
            if key is None:
                key = cache[day] = self.day_key(day)
            out[i] = key
        return out

    def expected_day_keys(self, first: date, last: date) -> np.ndarray:
        """Keys of the trading days from ``first`` to ``last`` inclusive (weekends and holidays left out)."""
        keys = []
        day = first
        while day <= last:
            if self.is_trading_day(day):
                keys.append(self.day_key(day))
            day += timedelta(days=1)
        return np.asarray(keys, dtype=np.int64)

    def expected_week_keys(self, first: date, last: date) -> np.ndarray:
        """Keys (:func:`week_keys`) of the weeks from ``first``'s to ``last``'s with at least one trading day."""
        keys = []
        saturday = week_start(first)
        while saturday <= last:
            if any(self.is_trading_day(saturday + timedelta(days=k)) for k in range(2, 7)):
                keys.append(_to_us(datetime.combine(saturday, time(0), tzinfo=UTC)))
            saturday += timedelta(days=7)
        return np.asarray(keys, dtype=np.int64)


def week_start(day: date) -> date:
    """The Saturday on or before ``day``: a trading week (Sunday open to Friday close) starts after it."""
    return day - timedelta(days=(day.weekday() - 5) % 7)


_DAY_US = 86_400 * _US


def week_keys(stamps_us: np.ndarray) -> np.ndarray:
    """Key of the trading week of each weekly-bar stamp: 00:00 UTC of the Saturday on or before it.

    A stamp anywhere from Saturday 00:00 UTC to the following Friday (Sunday
    midnight, the Sunday open, Monday, the Friday close) belongs to the same
    week; only a bar stamped on the Saturday *after* its week would be
    misplaced, which no known convention does.
    """
    days = np.asarray(stamps_us, dtype=np.int64) // _DAY_US
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return (days - (weekday - 5) % 7) * _DAY_US


CME_GLOBEX = SessionCalendar()


def with_holidays(calendar: SessionCalendar, holidays: Iterable[date]) -> SessionCalendar:
    """A copy of ``calendar`` with more closed trade dates."""
    merged: frozenset[date] = calendar.holidays.union(holidays)
    return attrs.evolve(calendar, holidays=merged)
