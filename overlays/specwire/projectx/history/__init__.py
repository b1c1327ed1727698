"""ProjectX history to Parquet: front-month contracts per day, CME sessions, gap tracking and the updater.

``HistoricalDataUpdater`` (the seed's class) drives the rest; the calendar,
roll rules and gap finder are usable on their own.
"""

from specwire.projectx.history.calendar import (
    CME_GLOBEX,
    SessionCalendar,
    week_keys,
    week_start,
    with_holidays,
)
from specwire.projectx.history.contracts import (
    MICRO_PARENTS,
    MONTH_CODES,
    ROLL_RULES,
    ContractMonth,
    ContractSegment,
    RollRule,
    business_days_before,
    cl_last_trade,
    contract_schedule,
    first_notice_day,
    last_business_day,
    month_code,
    month_from_code,
    ng_last_trade,
    parse_contract_id,
    rb_ho_last_trade,
    roll_rule_for,
)
from specwire.projectx.history.gaps import coalesce, find_gaps, missing_bar_starts
from specwire.projectx.history.updater import (
    BarSource,
    HistoricalDataUpdater,
    ProjectXBarSource,
    UpdateProgress,
    UpdateSummary,
)

__all__ = [
    "CME_GLOBEX",
    "BarSource",
    "HistoricalDataUpdater",
    "ProjectXBarSource",
    "UpdateProgress",
    "UpdateSummary",
    "MICRO_PARENTS",
    "MONTH_CODES",
    "ROLL_RULES",
    "ContractMonth",
    "ContractSegment",
    "RollRule",
    "SessionCalendar",
    "business_days_before",
    "cl_last_trade",
    "coalesce",
    "contract_schedule",
    "find_gaps",
    "first_notice_day",
    "last_business_day",
    "missing_bar_starts",
    "month_code",
    "month_from_code",
    "ng_last_trade",
    "parse_contract_id",
    "rb_ho_last_trade",
    "roll_rule_for",
    "week_keys",
    "week_start",
    "with_holidays",
]
