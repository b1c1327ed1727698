"""Futures contract months: CME month codes, ProjectX contract ids, and which month is the front month each day.

The Gateway has no continuous contract: each month has its own id
(``CON.F.US.<root>.<code><yy>``, e.g. ``CON.F.US.ENQ.M25``) and
``Contract/search`` lists only the active month. To build a long history the
updater asks, for every trade date, which month traders were in, and fetches
each month for the days it was the front month.

A :class:`RollRule` states that per root: the listed cycle (quarterly H/M/U/Z
or monthly), the last trade date of a month, and how many calendar days
before that last trade date volume moves to the next month. The built-in
rules follow CME's published conventions (equity index: roll on the second
Thursday of the expiry month, eight days before the third-Friday expiry; FX:
expiry two business days before the third Wednesday, roll a week earlier).
Pass your own ``RollRule`` for anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import attrs

from specwire.core.errors import ConfigurationError
from specwire.history.ledger import TimeRange
from specwire.projectx.history.calendar import CME_GLOBEX, SessionCalendar

MONTH_CODES = "FGHJKMNQUVXZ"
"""CME month codes, January (F) to December (Z)."""

QUARTERLY = (3, 6, 9, 12)
MONTHLY = tuple(range(1, 13))

_CONTRACT_ID = re.compile(r"^CON\.([A-Z])\.([A-Z]{2})\.(.+)\.([FGHJKMNQUVXZ])(\d{1,2})$")


def month_code(month: int) -> str:
    if not 1 <= month <= 12:
        raise ConfigurationError(f"month {month!r} is not 1..12")
    return MONTH_CODES[month - 1]


def month_from_code(code: str) -> int:
    idx = MONTH_CODES.find(code.upper()) if len(code) == 1 else -1
    if idx < 0:
        raise ConfigurationError(f"month code {code!r} is not one of {MONTH_CODES}")
    return idx + 1


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Mon=0) of a month."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def third_friday(year: int, month: int) -> date:
    """Last trade date of CME equity-index futures."""
    return nth_weekday(year, month, 4, 3)


def fx_last_trade(year: int, month: int) -> date:
    """CME FX futures: two business days before the third Wednesday (the Monday before)."""
    return nth_weekday(year, month, 2, 3) - timedelta(days=2)


@attrs.frozen
class ContractMonth:
    """One listed month of a root, e.g. ENQ June 2025."""

    px_root: str
    year: int
    month: int

    @property
    def code(self) -> str:
        return f"{month_code(self.month)}{self.year % 100:02d}"

    @property
    def contract_id(self) -> str:
        """The Gateway id, ``CON.F.US.<root>.<code><yy>``."""
        return f"CON.F.US.{self.px_root}.{self.code}"

    def __str__(self) -> str:
        return self.contract_id


def parse_contract_id(contract_id: str, *, today: date | None = None) -> ContractMonth:
    """Parse ``CON.F.US.ENQ.M25`` (also one-digit years, resolved to the nearest decade ahead of ``today``)."""
    m = _CONTRACT_ID.match(contract_id)
    if not m:
        raise ConfigurationError(
            f"contract id {contract_id!r} does not look like CON.F.US.<root>.<month><year>"
        )
    _, _, root, code, yy = m.groups()
    year = int(yy)
    if len(yy) == 1:
        base = (today or date.today()).year
        year = base - base % 10 + year
        if year < base - 2:
            year += 10
    else:
        year += 2000
    return ContractMonth(root, year, month_from_code(code))


@attrs.frozen
class RollRule:
    """How one root rolls: listed cycle, last trade date and roll lead time."""

    root: str
    px_root: str
    months: tuple[int, ...] = QUARTERLY
    last_trade: Callable[[int, int], date] = third_friday
    roll_days_before_last_trade: int = 8

    def roll_date(self, year: int, month: int) -> date:
        """First trade date on which the *next* listed month is the front month."""
        return self.last_trade(year, month) - timedelta(days=self.roll_days_before_last_trade)

    def _listed_from(self, year: int, month: int) -> ContractMonth:
        while month not in self.months:
            month += 1
            if month > 12:
                month, year = 1, year + 1
        return ContractMonth(self.px_root, year, month)

    def next_month(self, cm: ContractMonth) -> ContractMonth:
        year, month = (cm.year + 1, 1) if cm.month == 12 else (cm.year, cm.month + 1)
        return self._listed_from(year, month)

    def front_month(self, trade_date: date) -> ContractMonth:
        """The contract month traders were in on ``trade_date``."""
        cm = self._listed_from(trade_date.year, trade_date.month)
        while trade_date >= self.roll_date(cm.year, cm.month):
            cm = self.next_month(cm)
        return cm


_EQUITY = {
    "NQ": "ENQ",
    "ES": "EP",
    "MNQ": "MNQ",
    "MES": "MES",
    "RTY": "RTY",
    "M2K": "M2K",
    "YM": "YM",
    "MYM": "MYM",
    "EMD": "EMD",
}
_FX = {"6A": "DA6", "6B": "BP6", "6C": "CA6", "6E": "EU6", "E7": "EEU"}

ROLL_RULES: dict[str, RollRule] = {
    **{root: RollRule(root, px) for root, px in _EQUITY.items()},
    **{root: RollRule(root, px, QUARTERLY, fx_last_trade, 7) for root, px in _FX.items()},
}
"""Built-in rules keyed by exchange root; ProjectX roots (``ENQ``, ``EP``...) are accepted too."""


def roll_rule_for(symbol_root: str) -> RollRule:
    """The rule for an exchange root (``NQ``) or ProjectX root (``ENQ``)."""
    key = symbol_root.upper()
    if key in ROLL_RULES:
        return ROLL_RULES[key]
    for rule in ROLL_RULES.values():
        if rule.px_root == key:
            return rule
    raise ConfigurationError(
        f"no roll rule for symbol root {symbol_root!r}; known roots: {', '.join(sorted(ROLL_RULES))}. "
        "Pass roll_rule=RollRule(...) for other products."
    )


@attrs.frozen
class ContractSegment:
    """A stretch of time during which ``contract`` was the front month."""

    contract: ContractMonth
    range: TimeRange

    @property
    def contract_id(self) -> str:
        return self.contract.contract_id


def contract_schedule(
    rule: RollRule, start: datetime, end: datetime, calendar: SessionCalendar = CME_GLOBEX
) -> list[ContractSegment]:
    """Split ``[start, end)`` into front-month segments; boundaries fall on the session open of each roll date."""
    if end <= start:
        return []
    segments: list[ContractSegment] = []
    cursor = start
    cm = rule.front_month(calendar.trade_date(start))
    while cursor < end:
        nxt = rule.next_month(cm)
        roll = rule.roll_date(cm.year, cm.month)
        boundary = calendar.session_bounds(roll)[0]
        seg_end = min(end, boundary)
        if seg_end > cursor:
            segments.append(ContractSegment(cm, TimeRange(cursor, seg_end)))
        cursor = max(cursor, seg_end)
        cm = nxt
    return segments
