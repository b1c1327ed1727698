"""Built-in roll rules beyond equity index / FX, micro -> parent mapping, and daily / weekly gap finding.

Roll dates below are computed by hand from the rules' docstrings (Monday to
Friday business days, holidays not counted) and checked against the weekday
calendar of the year; the last trade dates used are CME's published ones
where noted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from specwire.history import TimeRange
from specwire.history.schema import to_us
from specwire.projectx.history import (
    CME_GLOBEX,
    MICRO_PARENTS,
    ROLL_RULES,
    SessionCalendar,
    cl_last_trade,
    contract_schedule,
    first_notice_day,
    ng_last_trade,
    rb_ho_last_trade,
    roll_rule_for,
    week_keys,
    with_holidays,
)
from specwire.projectx.history.updater import HistoricalDataUpdater

U = UTC


def front(root: str, day: date) -> str:
    return roll_rule_for(root).front_month(day).contract_id


# -- roll rules ----------------------------------------------------------------------------------


def test_last_trade_anchors_match_published_dates() -> None:
    # CL Feb 2025: 25 Jan 2025 is a Saturday -> four business days before it (CME: 21 Jan 2025).
    assert cl_last_trade(2025, 2) == date(2025, 1, 21)
    # CL Jul 2025: 25 Jun 2025 is a Wednesday -> three business days before it.
    assert cl_last_trade(2025, 7) == date(2025, 6, 20)
    # NG Jan 2025: three business days before 1 Jan 2025 (Wed) -> Fri 27 Dec 2024.
    assert ng_last_trade(2025, 1) == date(2024, 12, 27)
    # RB/HO May 2025: last business day of April 2025 (Wed 30 Apr).
    assert rb_ho_last_trade(2025, 5) == date(2025, 4, 30)
    # First notice day: last business day of the month before (Aug 2025 ends on a Sunday -> Fri 29).
    assert first_notice_day(2025, 9) == date(2025, 8, 29)
    assert first_notice_day(2026, 1) == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("root", "before", "on_roll", "old", "new"),
    [
        # CL: LTD of Feb 2025 is Tue 21 Jan; five business days earlier is Tue 14 Jan.
        ("CL", date(2025, 1, 13), date(2025, 1, 14), "CON.F.US.CLE.G25", "CON.F.US.CLE.H25"),
        # CL: LTD of Jul 2025 is Fri 20 Jun; roll Fri 13 Jun.
        ("CL", date(2025, 6, 12), date(2025, 6, 13), "CON.F.US.CLE.N25", "CON.F.US.CLE.Q25"),
        # NG: LTD of Jan 2025 is Fri 27 Dec 2024; roll Fri 20 Dec 2024 (across the year end).
        ("NG", date(2024, 12, 19), date(2024, 12, 20), "CON.F.US.NGE.F25", "CON.F.US.NGE.G25"),
        # RB: LTD of May 2025 is Wed 30 Apr; roll Wed 23 Apr.
        ("RB", date(2025, 4, 22), date(2025, 4, 23), "CON.F.US.RBE.K25", "CON.F.US.RBE.M25"),
        ("HO", date(2025, 4, 22), date(2025, 4, 23), "CON.F.US.HOE.K25", "CON.F.US.HOE.M25"),
        # GC: FND of Aug 2025 is Thu 31 Jul; roll Thu 24 Jul, into October (V).
        ("GC", date(2025, 7, 23), date(2025, 7, 24), "CON.F.US.GCE.Q25", "CON.F.US.GCE.V25"),
        # GC: FND of Dec 2025 is Fri 28 Nov; roll Fri 21 Nov, into February 2026.
        ("GC", date(2025, 11, 20), date(2025, 11, 21), "CON.F.US.GCE.Z25", "CON.F.US.GCE.G26"),
        # SI / HG: FND of Sep 2025 is Fri 29 Aug; roll Fri 22 Aug, into December (no October).
        ("SI", date(2025, 8, 21), date(2025, 8, 22), "CON.F.US.SIE.U25", "CON.F.US.SIE.Z25"),
        ("HG", date(2025, 8, 21), date(2025, 8, 22), "CON.F.US.CPE.U25", "CON.F.US.CPE.Z25"),
        # ZN: FND of Sep 2025 is Fri 29 Aug; roll Fri 22 Aug.
        ("ZN", date(2025, 8, 21), date(2025, 8, 22), "CON.F.US.TYA.U25", "CON.F.US.TYA.Z25"),
        # ZB: FND of Dec 2024 is Fri 29 Nov 2024; roll Fri 22 Nov 2024.
        ("ZB", date(2024, 11, 21), date(2024, 11, 22), "CON.F.US.USA.Z24", "CON.F.US.USA.H25"),
        ("ZF", date(2025, 2, 20), date(2025, 2, 21), "CON.F.US.FVA.H25", "CON.F.US.FVA.M25"),
        ("ZT", date(2025, 5, 22), date(2025, 5, 23), "CON.F.US.TUA.M25", "CON.F.US.TUA.U25"),
        # ZC: FND of Dec 2025 is Fri 28 Nov; ten business days earlier is Fri 14 Nov.
        ("ZC", date(2025, 11, 13), date(2025, 11, 14), "CON.F.US.ZCE.Z25", "CON.F.US.ZCE.H26"),
        # ZS: FND of Jan 2026 is Wed 31 Dec 2025; ten business days earlier is Wed 17 Dec.
        ("ZS", date(2025, 12, 16), date(2025, 12, 17), "CON.F.US.ZSE.F26", "CON.F.US.ZSE.H26"),
        ("ZW", date(2025, 2, 13), date(2025, 2, 14), "CON.F.US.ZWA.H25", "CON.F.US.ZWA.K25"),
    ],
)
def test_front_month_changes_on_the_hand_computed_roll_day(
    root: str, before: date, on_roll: date, old: str, new: str
) -> None:
    assert front(root, before) == old
    assert front(root, on_roll) == new


def test_every_rule_is_documented_and_lists_valid_months() -> None:
    for root, rule in ROLL_RULES.items():
        assert rule.root == root and rule.note, root
        assert rule.months and all(1 <= m <= 12 for m in rule.months), root
        # The front month is never before the trade date's month minus one, and rolls strictly forward.
        day, prev = date(2024, 1, 1), None
        while day < date(2026, 1, 1):
            cm = rule.front_month(day)
            assert cm.month in rule.months
            if prev is not None:
                assert (cm.year, cm.month) >= (prev.year, prev.month), (root, day)
            prev = cm
            day += timedelta(days=1)
    for root in ("CL", "NG", "RB", "HO"):
        assert ROLL_RULES[root].months == tuple(range(1, 13))
    assert ROLL_RULES["GC"].months == (2, 4, 6, 8, 10, 12)
    for root in ("ZN", "ZB", "ZF", "ZT"):
        assert ROLL_RULES[root].months == (3, 6, 9, 12)


def test_projectx_roots_are_accepted_and_rules_can_be_overridden() -> None:
    assert roll_rule_for("CLE") is roll_rule_for("cl")
    assert roll_rule_for("TYA") is roll_rule_for("ZN")
    # A firm with another root, or a house roll day: evolve the built-in rule.
    mine = attrs.evolve(roll_rule_for("CL"), px_root="CLX", roll_days_before_last_trade=2)
    assert mine.front_month(date(2025, 1, 16)).contract_id == "CON.F.US.CLX.G25"
    assert mine.front_month(date(2025, 1, 17)).contract_id == "CON.F.US.CLX.H25"


@pytest.mark.parametrize("micro", sorted(MICRO_PARENTS))
def test_micros_roll_with_their_parent(micro: str) -> None:
    parent_root, px = MICRO_PARENTS[micro]
    rule, parent = roll_rule_for(micro), roll_rule_for(parent_root)
    assert rule.parent == parent_root and rule.px_root == px and rule.root == micro
    assert rule.months == parent.months
    day = date(2024, 1, 1)
    while day < date(2026, 1, 1):
        a, b = rule.front_month(day), parent.front_month(day)
        assert (a.year, a.month) == (b.year, b.month), (micro, day)
        assert a.contract_id.startswith(f"CON.F.US.{px}.")
        day += timedelta(days=1)


def test_micro_ids_and_schedule_for_energy() -> None:
    assert front("MCL", date(2025, 1, 14)) == "CON.F.US.MCLE.H25"
    assert front("MGC", date(2025, 7, 24)) == "CON.F.US.MGC.V25"
    assert front("MES", date(2025, 3, 13)) == "CON.F.US.MES.M25"
    assert front("M2K", date(2025, 3, 12)) == "CON.F.US.M2K.H25"
    segs = contract_schedule(
        roll_rule_for("CL"), datetime(2025, 1, 6, tzinfo=U), datetime(2025, 2, 28, tzinfo=U)
    )
    # Boundaries at the session open (17:00 CST = 23:00 UTC) of each roll day: Tue 14 Jan, Thu 13 Feb.
    assert [(s.contract_id, s.range.start, s.range.end) for s in segs] == [
        ("CON.F.US.CLE.G25", datetime(2025, 1, 6, tzinfo=U), datetime(2025, 1, 13, 23, tzinfo=U)),
        ("CON.F.US.CLE.H25", datetime(2025, 1, 13, 23, tzinfo=U), datetime(2025, 2, 12, 23, tzinfo=U)),
        ("CON.F.US.CLE.J25", datetime(2025, 2, 12, 23, tzinfo=U), datetime(2025, 2, 28, tzinfo=U)),
    ]


# -- daily and weekly gaps -----------------------------------------------------------------------

STAMPS = {
    "utc_midnight": lambda d: datetime(d.year, d.month, d.day, tzinfo=U),
    "session_open": lambda d: CME_GLOBEX.session_bounds(d)[0],
    "session_close": lambda d: CME_GLOBEX.session_bounds(d)[1],
}


def test_daily_keys_do_not_depend_on_the_stamp_convention() -> None:
    days = [date(2025, 3, 7), date(2025, 3, 10), date(2025, 11, 3)]  # around both DST changes
    want = CME_GLOBEX.expected_day_keys(date(2025, 3, 7), date(2025, 3, 10))
    assert len(want) == 2  # Friday and Monday, not the weekend
    for stamp in STAMPS.values():
        keys = CME_GLOBEX.day_keys(np.array([to_us(stamp(d)) for d in days], dtype=np.int64))
        assert keys.tolist() == [CME_GLOBEX.day_key(d) for d in days]
        assert keys[:2].tolist() == want.tolist()
    sunday, monday, friday = (
        to_us(datetime(2025, 3, 2, tzinfo=U)),
        to_us(datetime(2025, 3, 3, tzinfo=U)),
        to_us(datetime(2025, 3, 7, 22, tzinfo=U)),
    )
    saturday = to_us(datetime(2025, 3, 1, tzinfo=U))
    assert week_keys(np.array([saturday, sunday, monday, friday])).tolist() == [saturday] * 4


class DailySource:
    """A BarSource with one bar per trade date (or week) of the CME calendar.

    ``missing`` periods never have a bar (unfillable); ``flaky`` ones are left
    out of the first response that would contain them and returned later.
    """

    def __init__(
        self,
        *,
        stamp: str = "utc_midnight",
        missing: Iterable[date] = (),
        flaky: Iterable[date] = (),
        calendar: SessionCalendar = CME_GLOBEX,
        weekly_stamp_offset: int | None = None,
        now: datetime | None = None,
    ) -> None:
        self.stamp = STAMPS[stamp]
        self.missing, self.flaky = set(missing), set(flaky)
        self.calendar = calendar
        self.weekly_stamp_offset = weekly_stamp_offset  # days after the week's Saturday
        self.now = now  # bars are published once their session (day or week) has closed
        self.calls: list[tuple[str, datetime, datetime, int]] = []

    def _closed(self, key: date) -> bool:
        last_day = key if self.weekly_stamp_offset is None else key + timedelta(days=6)
        return self.now is None or self.calendar.session_bounds(last_day)[1] <= self.now

    def _periods(self, start: datetime, end: datetime) -> list[tuple[date, datetime]]:
        out = []
        day = start.date() - timedelta(days=9)
        while day <= end.date() + timedelta(days=9):
            if self.weekly_stamp_offset is None:
                if self.calendar.is_trading_day(day):
                    out.append((day, self.stamp(day)))
            elif day.weekday() == 5:
                ts = datetime(day.year, day.month, day.day, tzinfo=U) + timedelta(
                    days=self.weekly_stamp_offset
                )
                out.append((day, ts))
            day += timedelta(days=1)
        return out

    def fetch_bars(
        self, contract_id: str, start: datetime, end: datetime, unit: int, unit_number: int
    ) -> list[dict[str, Any]]:
        assert unit in (4, 5) and unit_number == 1
        self.calls.append((contract_id, start, end, unit))
        bars = []
        for key, ts in self._periods(start, end):
            if not start <= ts < end or key in self.missing or not self._closed(key):
                continue
            if key in self.flaky:
                self.flaky.discard(key)
                continue
            p = 100.0 + key.toordinal() % 17
            bars.append(
                {"timestamp": ts, "open": p, "high": p + 1, "low": p - 1, "close": p + 0.5, "volume": 10}
            )
        return bars

    def covered(self, day: date) -> bool:
        """Whether some request asked for the period starting ``day``."""
        ts = self.stamp(day)
        return any(s <= ts < e for _, s, e, _ in self.calls)


HOLIDAY = date(2025, 2, 17)  # configured as a holiday: no bar and no gap
FLAKY, MISSING = date(2025, 2, 20), date(2025, 2, 25)
NOW = datetime(2025, 3, 7, 23, tzinfo=U)  # Friday evening, after the close


def daily_updater(source: DailySource, path: Path, now: datetime, **kw: Any) -> HistoricalDataUpdater:
    return HistoricalDataUpdater(
        source,
        "CL",
        path,
        api_bar_unit=4,
        api_bar_unit_number=1,
        fetch_days_if_new=30,
        calendar=with_holidays(CME_GLOBEX, [HOLIDAY]),
        clock=lambda: now,
        **kw,
    )


def trading_days(first: date, last: date, skip: Iterable[date] = ()) -> list[date]:
    cal = with_holidays(CME_GLOBEX, [HOLIDAY])
    out, day = [], first
    while day <= last:
        if cal.is_trading_day(day) and day not in set(skip):
            out.append(day)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize("stamp", sorted(STAMPS))
def test_daily_gap_found_filled_and_unfillable_remembered(tmp_path: Path, stamp: str) -> None:
    src = DailySource(stamp=stamp, missing={HOLIDAY, MISSING}, flaky={FLAKY}, now=NOW)
    path = tmp_path / "cl_1d.parquet"
    # First run without gap filling: the Gateway's first answer lacked FLAKY, and MISSING never exists.
    first = daily_updater(src, path, NOW, fill_gaps=False).update_data()
    # Window Feb 5 23:00 UTC .. Mar 7 23:00 UTC = trade dates Feb 6 .. Mar 7 (Feb 5's session closed before it).
    assert first.total_rows == len(trading_days(date(2025, 2, 6), date(2025, 3, 7), skip=[FLAKY, MISSING]))
    # Two forward segments: H25 until the session open of the roll day (Thu 13 Feb), then J25.
    assert [c[0] for c in src.calls] == ["CON.F.US.CLE.H25", "CON.F.US.CLE.J25"]

    src.calls.clear()
    second = daily_updater(src, path, NOW).update_data()
    held = trading_days(date(2025, 2, 6), date(2025, 3, 7), skip=[MISSING])
    assert second.added == 0 and second.filled == 1
    assert second.total_rows == len(held) == 20
    open_ = CME_GLOBEX.session_bounds(MISSING)[0]
    assert second.unfillable == [TimeRange(open_, open_ + timedelta(days=1))]
    # Both gaps (20 and 25 Feb) in one request to the month that was front then.
    assert len(src.calls) == 1 and src.calls[0][0] == "CON.F.US.CLE.J25"
    assert src.covered(FLAKY) and src.covered(MISSING)
    df = pd.read_parquet(path)
    days = [CME_GLOBEX.trade_date(t.to_pydatetime()) for t in df["timestamp"]]
    assert days == held
    assert FLAKY in days and HOLIDAY not in days
    assert (df["contract_id"][: days.index(date(2025, 2, 13))] == "CON.F.US.CLE.H25").all()
    assert (df["contract_id"][days.index(date(2025, 2, 13)) :] == "CON.F.US.CLE.J25").all()

    # A later run rescanning the whole history does not ask for the remembered day again.
    src.calls.clear()
    later = src.now = datetime(2025, 3, 11, 23, tzinfo=U)
    third = daily_updater(src, path, later, rescan_gaps=True).update_data()
    assert third.added == 2 and third.filled == 0 and third.unfillable == []
    assert third.requests == 1 and not src.covered(MISSING)

    # retry_unfillable forgets it: asked once more, still absent, recorded again.
    src.calls.clear()
    fourth = daily_updater(src, path, later, retry_unfillable=True).update_data()
    assert src.covered(MISSING) and fourth.filled == 0
    assert fourth.unfillable == [TimeRange(open_, open_ + timedelta(days=1))]


def test_daily_bars_missing_from_a_run_are_not_asked_for_twice_in_it(tmp_path: Path) -> None:
    # As for intraday bars: a range this run already fetched came back without the bar, so it is
    # recorded at once rather than requested again.
    src = DailySource(missing={HOLIDAY, MISSING}, now=NOW)
    summary = daily_updater(src, tmp_path / "cl_1d.parquet", NOW).update_data()
    open_ = CME_GLOBEX.session_bounds(MISSING)[0]
    assert summary.requests == 2 and summary.unfillable == [TimeRange(open_, open_ + timedelta(days=1))]


def test_daily_gap_filled_once_the_gateway_has_it(tmp_path: Path) -> None:
    src = DailySource(missing={HOLIDAY, MISSING}, now=NOW)
    path = tmp_path / "cl_1d.parquet"
    daily_updater(src, path, NOW).update_data()
    src.missing.discard(MISSING)
    src.calls.clear()
    summary = daily_updater(src, path, NOW, retry_unfillable=True).update_data()
    assert summary.filled == 1 and summary.unfillable == []
    assert len(src.calls) == 1 and src.covered(MISSING)
    assert summary.total_rows == len(trading_days(date(2025, 2, 6), date(2025, 3, 7)))


def test_no_gap_for_the_day_still_trading(tmp_path: Path) -> None:
    midday = datetime(2025, 3, 7, 15, tzinfo=U)
    src = DailySource(missing={HOLIDAY}, now=midday)
    path = tmp_path / "cl_1d.parquet"
    # Midday Friday: Friday's bar does not exist yet, and is not a gap.
    summary = daily_updater(src, path, midday).update_data()
    assert summary.unfillable == []
    assert summary.last == datetime(2025, 3, 6, tzinfo=U)
    # The window opened at 09:00 CST on 5 Feb, after that day's bar stamp: found as a gap and filled.
    assert summary.filled == 1 and summary.first == datetime(2025, 2, 5, tzinfo=U)
    src.now = NOW
    after_close = daily_updater(src, path, NOW).update_data()
    assert (
        after_close.added == 1
        and after_close.unfillable == []
        and after_close.last == datetime(2025, 3, 7, tzinfo=U)
    )


@pytest.mark.parametrize("offset", [1, 2])  # weekly bars stamped Sunday or Monday 00:00 UTC
def test_weekly_gap_found_filled_and_unfillable_remembered(tmp_path: Path, offset: int) -> None:
    now = datetime(2025, 3, 8, tzinfo=U)  # Saturday; 63 days back is Saturday 4 Jan
    src = DailySource(
        weekly_stamp_offset=offset, missing={date(2025, 2, 1)}, flaky={date(2025, 2, 15)}, now=now
    )
    path = tmp_path / "nq_1w.parquet"

    def updater(**kw: Any) -> HistoricalDataUpdater:
        return HistoricalDataUpdater(
            src,
            "NQ",
            path,
            api_bar_unit=5,
            api_bar_unit_number=1,
            fetch_days_if_new=63,
            clock=lambda: now,
            **kw,
        )

    updater(fill_gaps=False).update_data()
    src.calls.clear()
    summary = updater().update_data()
    assert summary.filled == 1 and len(src.calls) == 1  # both gaps in one window
    assert summary.total_rows == 8  # weeks of 4 Jan .. 1 Mar, minus the week of 1 Feb
    sat = datetime(2025, 2, 1, tzinfo=U)
    assert summary.unfillable == [TimeRange(sat, sat + timedelta(days=7))]
    src.calls.clear()
    again = updater(rescan_gaps=True).update_data()
    assert again.unfillable == [] and again.filled == 0
    assert not any(s <= sat + timedelta(days=offset) < e for _, s, e, _ in src.calls)


def test_multi_day_bars_are_not_gap_checked(tmp_path: Path) -> None:
    up = HistoricalDataUpdater(
        DailySource(), "CL", tmp_path / "x.parquet", api_bar_unit=4, api_bar_unit_number=2
    )
    assert not up.fill_gaps
    assert HistoricalDataUpdater(DailySource(), "CL", tmp_path / "y.parquet", api_bar_unit=4).fill_gaps
