"""Futures contract months: CME month codes, ProjectX contract ids, and which month is the front month each day.

The Gateway has no continuous contract: each month has its own id
(``CON.F.US.<root>.<code><yy>``, e.g. ``CON.F.US.ENQ.M25``) and
``Contract/search`` lists only the active month. To build a long history the
updater asks, for every trade date, which month traders were in, and fetches
each month for the days it was the front month.

A :class:`RollRule` states that per root: the listed (traded) months, an
anchor date per month (the last trade date, or the first notice day for
physically delivered products that longs leave before delivery), and how many
calendar or business days before that anchor the front month changes.

Built-in rules (:data:`ROLL_RULES`):

* equity index (ES, NQ, RTY, YM, EMD and micros): quarterly, last trade on the
  third Friday, roll on the second Thursday (eight calendar days earlier);
* FX (6A, 6B, 6C, 6E, E7): quarterly, last trade two business days before the
  third Wednesday, roll seven calendar days earlier;
* energy (CL, NG, RB, HO, MCL): every month, roll five business days before
  last trade;
* metals (GC, SI, HG, MGC): active months only, roll five business days before
  first notice day;
* Treasuries (ZT, ZF, ZN, ZB): quarterly, roll five business days before first
  notice day (the last business day of the month before the contract month);
* grains (ZC, ZS, ZW): their listed months, roll ten business days before
  first notice day.

The exchanges publish last trade and notice dates, not roll dates: when volume
moves to the next month is a market habit, so every roll day here is a
*convention*. Business days are Monday to Friday; exchange holidays are not
taken into account, so around a holiday a date can be one business day off.
ProjectX roots other than the equity-index and FX ones are not in the Gateway
documentation; the ones used here (``CLE``, ``GCE``, ``TYA``...) are those seen
in public client code and may be wrong for a given firm. Check them with
``Contract/search`` and override with ``attrs.evolve(rule, px_root=...)``, or
pass your own ``RollRule`` (``roll_rule=``) for anything else.
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


def is_business_day(day: date) -> bool:
    """Monday to Friday (exchange holidays are not known here)."""
    return day.weekday() < 5


def business_days_before(day: date, n: int) -> date:
    """The business day ``n`` business days before ``day`` (``day`` itself need not be one)."""
    while n > 0:
        day -= timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def last_business_day(year: int, month: int) -> date:
    """The last Monday-to-Friday day of a month."""
    nxt_year, nxt_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return business_days_before(date(nxt_year, nxt_month, 1), 1)


def first_notice_day(year: int, month: int) -> date:
    """Last business day of the month before the contract month.

    That is the first notice day of CBOT Treasury (ZT, ZF, ZN, ZB) and grain
    (ZC, ZS, ZW) futures and of COMEX metals (GC, SI, HG): from then on a long
    can be assigned delivery, so speculative volume has left the month before.
    Holidays are not considered (a holiday on that day moves the real first
    notice day one business day earlier).
    """
    return last_business_day(*_month_before(year, month))


def cl_last_trade(year: int, month: int) -> date:
    """NYMEX WTI crude oil (CL): three business days before the 25th calendar day of the month before
    the contract month, four business days before it when the 25th is not a business day."""
    y, m = _month_before(year, month)
    the_25th = date(y, m, 25)
    return business_days_before(the_25th, 3 if is_business_day(the_25th) else 4)


def ng_last_trade(year: int, month: int) -> date:
    """NYMEX Henry Hub natural gas (NG): three business days before the first calendar day of the contract month."""
    return business_days_before(date(year, month, 1), 3)


def rb_ho_last_trade(year: int, month: int) -> date:
    """NYMEX RBOB gasoline (RB) and NY Harbor ULSD (HO): last business day of the month before the contract month."""
    return last_business_day(*_month_before(year, month))


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
    """How one root rolls: traded months, anchor date and roll lead time.

    ``last_trade(year, month)`` is the date the roll is counted back from: the
    last trade date, or for physically delivered products the first notice day
    (:func:`first_notice_day`). ``roll_days_before_last_trade`` counts calendar
    days, or Monday-to-Friday business days when ``roll_business_days`` is set.
    ``months`` are the months that become front month (a product may list more,
    e.g. gold lists every month but trades in G/J/M/Q/V/Z). ``parent`` names the
    root whose rule a micro contract shares; ``note`` says what the rule is and
    where it comes from.
    """

    root: str
    px_root: str
    months: tuple[int, ...] = QUARTERLY
    last_trade: Callable[[int, int], date] = third_friday
    roll_days_before_last_trade: int = 8
    roll_business_days: bool = False
    parent: str | None = None
    note: str = attrs.field(default="", eq=False)

    def roll_date(self, year: int, month: int) -> date:
        """First trade date on which the *next* listed month is the front month."""
        anchor = self.last_trade(year, month)
        if self.roll_business_days:
            return business_days_before(anchor, self.roll_days_before_last_trade)
        return anchor - timedelta(days=self.roll_days_before_last_trade)

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


_EQUITY = {"NQ": "ENQ", "ES": "EP", "RTY": "RTY", "YM": "YM", "EMD": "EMD"}
_FX = {"6A": "DA6", "6B": "BP6", "6C": "CA6", "6E": "EU6", "E7": "EEU"}


def equity_index_rule(root: str, px_root: str) -> RollRule:
    """CME equity-index futures (ES, NQ, RTY, YM, EMD): March/June/September/December.

    Last trade is the third Friday of the contract month (CME contract specs).
    The roll is the second Thursday, eight calendar days earlier, the roll date
    CME's equity-index roll calendar uses; still a convention, volume moves
    over several days around it.
    """
    return RollRule(
        root,
        px_root,
        QUARTERLY,
        third_friday,
        8,
        note="quarterly H/M/U/Z; roll on the 2nd Thursday of the contract month (8 days before the 3rd-Friday expiry)",
    )


def fx_rule(root: str, px_root: str) -> RollRule:
    """CME FX futures (6A, 6B, 6C, 6E, E7): March/June/September/December.

    Last trade is two business days before the third Wednesday of the contract
    month (CME contract specs); the roll, a week earlier, is a convention.
    """
    return RollRule(
        root,
        px_root,
        QUARTERLY,
        fx_last_trade,
        7,
        note="quarterly H/M/U/Z; roll 7 days before last trade (2 business days before the 3rd Wednesday)",
    )


ENERGY_LAST_TRADE: dict[str, Callable[[int, int], date]] = {
    "CL": cl_last_trade,
    "NG": ng_last_trade,
    "RB": rb_ho_last_trade,
    "HO": rb_ho_last_trade,
}


def energy_rule(root: str, px_root: str, roll_business_days_before: int = 5) -> RollRule:
    """NYMEX energy (CL, NG, RB, HO): every calendar month is listed and traded.

    Each contract stops trading in the month *before* its contract month:
    CL three business days before the 25th (:func:`cl_last_trade`), NG three
    business days before the 1st (:func:`ng_last_trade`), RB and HO on the last
    business day (:func:`rb_ho_last_trade`). The roll five business days
    before last trade is a convention (volume leaves the expiring month in the
    days before expiry; no exchange publishes a roll day). Holidays are not
    counted, so a date near a holiday can be a business day off: January CL
    (25 December is a holiday) in years when the 25th is a weekday really expires a business day before the
    computed date, and the roll moves with it only if you pass a holiday-aware
    ``last_trade``.
    """
    return RollRule(
        root,
        px_root,
        MONTHLY,
        ENERGY_LAST_TRADE[root],
        roll_business_days_before,
        roll_business_days=True,
        note=f"monthly; roll {roll_business_days_before} business days before last trade (convention)",
    )


METAL_MONTHS: dict[str, tuple[int, ...]] = {
    "GC": (2, 4, 6, 8, 10, 12),  # G J M Q V Z
    "SI": (3, 5, 7, 9, 12),  # H K N U Z
    "HG": (3, 5, 7, 9, 12),  # H K N U Z
}


def metals_rule(root: str, px_root: str, roll_business_days_before: int = 5) -> RollRule:
    """COMEX metals: gold (GC) in G/J/M/Q/V/Z, silver (SI) and copper (HG) in H/K/N/U/Z.

    The exchange lists more months; these are the "active" months in which
    volume concentrates. October gold is the thinnest of them and some vendors
    skip it (Q straight to Z): pass ``months=`` to do the same. Longs leave
    before first notice day, the last business day of the month before the
    contract month (:func:`first_notice_day`); the roll five business days
    before it is a convention.
    """
    return RollRule(
        root,
        px_root,
        METAL_MONTHS[root],
        first_notice_day,
        roll_business_days_before,
        roll_business_days=True,
        note=f"active months; roll {roll_business_days_before} business days before first notice day (convention)",
    )


def treasury_rule(root: str, px_root: str, roll_business_days_before: int = 5) -> RollRule:
    """CBOT Treasury futures (ZT, ZF, ZN, ZB): March/June/September/December.

    Delivery can start in the contract month, so positions roll before first
    notice day, the last business day of the month before the contract month
    (:func:`first_notice_day`); last trade in the contract month itself is
    irrelevant for speculators. The quarterly roll happens over the last week
    or so of that month; five business days before first notice day is a
    convention, not an exchange date.
    """
    return RollRule(
        root,
        px_root,
        QUARTERLY,
        first_notice_day,
        roll_business_days_before,
        roll_business_days=True,
        note=f"quarterly H/M/U/Z; roll {roll_business_days_before} business days before first notice day (convention)",
    )


GRAIN_MONTHS: dict[str, tuple[int, ...]] = {
    "ZC": (3, 5, 7, 9, 12),  # H K N U Z
    "ZS": (1, 3, 5, 7, 8, 9, 11),  # F H K N Q U X
    "ZW": (3, 5, 7, 9, 12),  # H K N U Z
}


def grain_rule(root: str, px_root: str, roll_business_days_before: int = 10) -> RollRule:
    """CBOT grains: corn (ZC) and wheat (ZW) H/K/N/U/Z, soybeans (ZS) F/H/K/N/Q/U/X.

    First notice day is the last business day of the month before the
    contract month (:func:`first_notice_day`). Grain volume usually moves
    well before it, around the middle of that month (the big commodity
    indices roll on its 5th to 9th business days); ten business days before
    first notice day is a convention and the least certain of the built-in
    rules. August and September soybeans are thin; pass ``months=`` to skip
    them. Grain sessions differ from the default calendar's (see
    :mod:`specwire.projectx.history.calendar`) for intraday bars.
    """
    return RollRule(
        root,
        px_root,
        GRAIN_MONTHS[root],
        first_notice_day,
        roll_business_days_before,
        roll_business_days=True,
        note=f"listed months; roll {roll_business_days_before} business days before first notice day (convention)",
    )


_ENERGY = {"CL": "CLE", "NG": "NGE", "RB": "RBE", "HO": "HOE"}
_METALS = {"GC": "GCE", "SI": "SIE", "HG": "CPE"}
_TREASURIES = {"ZT": "TUA", "ZF": "FVA", "ZN": "TYA", "ZB": "USA"}
_GRAINS = {"ZC": "ZCE", "ZS": "ZSE", "ZW": "ZWA"}

MICRO_PARENTS: dict[str, tuple[str, str]] = {
    "MES": ("ES", "MES"),
    "MNQ": ("NQ", "MNQ"),
    "MYM": ("YM", "MYM"),
    "M2K": ("RTY", "M2K"),
    "MCL": ("CL", "MCLE"),
    "MGC": ("GC", "MGC"),
}
"""Micro root -> (parent exchange root, ProjectX root). A micro rolls with its parent.

Micro equity-index contracts expire with their parents. Micro crude (MCL) is
understood to stop trading a business day before CL; the five-business-day
lead still rolls before it. Micro gold (MGC) has the same delivery months and
first notice day as GC as far as we know. ``MCLE``/``MGC`` as ProjectX roots
are taken from public client code, not the Gateway documentation.
"""


def micro_rule(micro: str, parent: RollRule, px_root: str) -> RollRule:
    """The parent's rule under the micro's names (``parent`` records which root it follows)."""
    return attrs.evolve(
        parent, root=micro, px_root=px_root, parent=parent.root, note=f"as {parent.root}: {parent.note}"
    )


def _built_in() -> dict[str, RollRule]:
    rules: dict[str, RollRule] = {
        **{root: equity_index_rule(root, px) for root, px in _EQUITY.items()},
        **{root: fx_rule(root, px) for root, px in _FX.items()},
        **{root: energy_rule(root, px) for root, px in _ENERGY.items()},
        **{root: metals_rule(root, px) for root, px in _METALS.items()},
        **{root: treasury_rule(root, px) for root, px in _TREASURIES.items()},
        **{root: grain_rule(root, px) for root, px in _GRAINS.items()},
    }
    for micro, (parent, px) in MICRO_PARENTS.items():
        rules[micro] = micro_rule(micro, rules[parent], px)
    return rules


ROLL_RULES: dict[str, RollRule] = _built_in()
"""Built-in rules keyed by exchange root; ProjectX roots (``ENQ``, ``EP``, ``CLE``...) are accepted too."""


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
