"""CME sessions, month codes, front-month determination, roll schedules and gap detection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from specwire.core.errors import ConfigurationError
from specwire.history import TimeRange
from specwire.history.schema import to_us
from specwire.projectx.history import (
    CME_GLOBEX,
    RollRule,
    coalesce,
    contract_schedule,
    find_gaps,
    month_code,
    month_from_code,
    parse_contract_id,
    roll_rule_for,
    with_holidays,
)
from specwire.projectx.history.contracts import MONTHLY

U = UTC


def test_session_times_follow_chicago_daylight_saving() -> None:
    winter_open, winter_close = CME_GLOBEX.session_bounds(date(2025, 1, 14))
    assert (winter_open, winter_close) == (
        datetime(2025, 1, 13, 23, tzinfo=U),
        datetime(2025, 1, 14, 22, tzinfo=U),
    )
    summer_open, _ = CME_GLOBEX.session_bounds(date(2025, 7, 15))
    assert summer_open == datetime(2025, 7, 14, 22, tzinfo=U)
    # Sunday evening belongs to Monday; the maintenance hour and Saturday are closed.
    assert CME_GLOBEX.trade_date(datetime(2025, 1, 12, 23, 30, tzinfo=U)) == date(2025, 1, 13)
    assert CME_GLOBEX.is_open(datetime(2025, 1, 12, 23, 30, tzinfo=U))
    assert not CME_GLOBEX.is_open(datetime(2025, 1, 14, 22, 30, tzinfo=U))
    assert not CME_GLOBEX.is_open(datetime(2025, 1, 11, 12, tzinfo=U))
    assert not CME_GLOBEX.is_open(datetime(2025, 1, 10, 22, 30, tzinfo=U))  # Friday after the close


def test_expected_bars_exclude_breaks_weekends_and_holidays() -> None:
    start, end = datetime(2025, 1, 10, tzinfo=U), datetime(2025, 1, 15, tzinfo=U)  # Fri .. Wed
    hourly = CME_GLOBEX.expected_bar_starts(start, end, 3600)
    hours = {int(x) // 3_600_000_000 % 24 for x in hourly}
    assert 22 not in hours  # 16:00-17:00 CST maintenance break
    assert not any(
        datetime(2025, 1, 11, tzinfo=U)
        <= datetime.fromtimestamp(x / 1e6, U)
        < datetime(2025, 1, 12, 23, tzinfo=U)
        for x in hourly
    )
    per_session = 23
    # Fri 00:00-22:00 (22 bars), Mon and Tue full sessions, Wed 00:00 bar (opened Tue 23:00 -> one bar).
    assert len(hourly) == 22 + 2 * per_session + 1
    closed = with_holidays(CME_GLOBEX, [date(2025, 1, 13)])
    assert len(closed.expected_bar_starts(start, end, 3600)) == len(hourly) - per_session
    minutes = CME_GLOBEX.expected_bar_starts(
        datetime(2025, 1, 14, 21, 58, tzinfo=U), datetime(2025, 1, 14, 23, 2, tzinfo=U), 60
    )
    assert [datetime.fromtimestamp(x / 1e6, U).strftime("%H:%M") for x in minutes] == [
        "21:58",
        "21:59",
        "23:00",
        "23:01",
    ]


def test_month_codes_and_contract_ids() -> None:
    assert "".join(month_code(m) for m in range(1, 13)) == "FGHJKMNQUVXZ"
    assert month_from_code("z") == 12
    with pytest.raises(ConfigurationError, match="'A'"):
        month_from_code("A")
    cm = parse_contract_id("CON.F.US.ENQ.M25")
    assert (cm.px_root, cm.year, cm.month, cm.contract_id) == ("ENQ", 2025, 6, "CON.F.US.ENQ.M25")
    assert parse_contract_id("CON.F.US.EP.U5", today=date(2025, 7, 1)).year == 2025
    with pytest.raises(ConfigurationError, match="'NQM25'"):
        parse_contract_id("NQM25")


def test_front_month_rolls_on_second_thursday_and_across_year_end() -> None:
    nq = roll_rule_for("NQ")
    assert roll_rule_for("ENQ") is nq and nq.px_root == "ENQ"
    assert nq.front_month(date(2025, 3, 12)).contract_id == "CON.F.US.ENQ.H25"
    assert nq.front_month(date(2025, 3, 13)).contract_id == "CON.F.US.ENQ.M25"  # 2nd Thursday of March 2025
    assert nq.front_month(date(2025, 12, 11)).contract_id == "CON.F.US.ENQ.H26"
    assert nq.front_month(date(2025, 1, 2)).contract_id == "CON.F.US.ENQ.H25"
    fx = roll_rule_for("6E")
    assert (
        fx.front_month(date(2025, 6, 9)).contract_id == "CON.F.US.EU6.U25"
    )  # a week before the 16 June last trade
    monthly = RollRule("CL", "CLE", MONTHLY, lambda y, m: date(y, m, 20), 3)
    assert monthly.front_month(date(2025, 4, 17)).contract_id == "CON.F.US.CLE.K25"
    with pytest.raises(ConfigurationError, match="'ZZZ'"):
        roll_rule_for("ZZZ")


def test_schedule_switches_contract_at_the_roll_session_open() -> None:
    segs = contract_schedule(
        roll_rule_for("NQ"), datetime(2025, 3, 10, tzinfo=U), datetime(2025, 3, 20, tzinfo=U)
    )
    assert [s.contract_id for s in segs] == ["CON.F.US.ENQ.H25", "CON.F.US.ENQ.M25"]
    assert segs[0].range.end == segs[1].range.start == datetime(2025, 3, 12, 22, tzinfo=U)  # 17:00 CDT
    assert segs[0].range.start == datetime(2025, 3, 10, tzinfo=U) and segs[1].range.end == datetime(
        2025, 3, 20, tzinfo=U
    )


def test_gaps_found_grouped_and_known_unfillable_skipped() -> None:
    start = datetime(2025, 1, 14, 14, tzinfo=U)
    expected = CME_GLOBEX.expected_bar_starts(start, start + timedelta(hours=1), 60)
    stored = np.delete(expected, [5, 6, 7, 30])
    gaps = find_gaps(stored, expected, 60)
    assert gaps == [
        TimeRange(start + timedelta(minutes=5), start + timedelta(minutes=8)),
        TimeRange(start + timedelta(minutes=30), start + timedelta(minutes=31)),
    ]
    assert find_gaps(stored, expected, 60, [gaps[0]]) == [gaps[1]]
    assert coalesce(gaps, 60 * 30) == [TimeRange(gaps[0].start, gaps[1].end)]
    assert coalesce(gaps, 60) == gaps
    assert find_gaps(expected, expected, 60) == []
    assert to_us(start) == int(expected[0])
