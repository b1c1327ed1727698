"""ProjectX history to Parquet: front-month contracts per day, CME sessions, gap tracking and the updater.

``HistoricalDataUpdater`` (the seed's class) drives the rest; the calendar,
roll rules and gap finder are usable on their own.
"""

from specwire.projectx.history.calendar import CME_GLOBEX, SessionCalendar, with_holidays
from specwire.projectx.history.contracts import (
    MONTH_CODES,
    ROLL_RULES,
    ContractMonth,
    ContractSegment,
    RollRule,
    contract_schedule,
    month_code,
    month_from_code,
    parse_contract_id,
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
    "MONTH_CODES",
    "ROLL_RULES",
    "ContractMonth",
    "ContractSegment",
    "RollRule",
    "SessionCalendar",
    "coalesce",
    "contract_schedule",
    "find_gaps",
    "missing_bar_starts",
    "month_code",
    "month_from_code",
    "parse_contract_id",
    "roll_rule_for",
    "with_holidays",
]
