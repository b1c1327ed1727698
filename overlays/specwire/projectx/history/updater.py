"""``HistoricalDataUpdater``: keep a Parquet history of a futures root up to date from ``History/retrieveBars``.

One run does three things, each written to disk as it completes so an
interrupted run loses nothing and the next one resumes:

1. **Forward fetch.** From the bar after the newest stored bar (or
   ``fetch_days_if_new`` days back on the first run, or the explicit
   ``start``) to ``end`` (default now). The window is split into front-month
   segments by the root's :class:`RollRule`; each segment is fetched from its
   own contract and its bars are stored with that contract id. The cost of a
   run therefore grows with the new bars, not with the stored history.
2. **Gap fill.** Expected bars (CME session calendar: weekends, the daily
   maintenance break and configured holidays excluded) that are missing
   between the last scanned point and the newest stored bar are requested
   again, nearby gaps coalesced into one request window. Daily bars are
   matched by trade date (a trading day without a bar is a gap) and weekly
   bars by week (a week with a trading day but no bar), whatever time of day
   the Gateway stamps them with.
3. **Remember the unfillable.** Whatever is still missing after asking
   (quiet minutes without trades, minute bars of expired months, which the
   Gateway no longer keeps) goes to the gap ledger beside the data and is
   never requested again.

Paging through the 20,000-bar limit and pacing under the bars rate limit are
done by the client (``px.history.bars`` and the shared rate limiter); the
updater keeps request counts low by fetching whole segments and coalescing
gaps.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import pyarrow as pa

from specwire.core.errors import ConfigurationError
from specwire.history import (
    BarSeries,
    ParquetBarFile,
    ParquetBarStore,
    TimeRange,
    bars_table,
)
from specwire.history.atomic import DEFAULT_TEMP_SUFFIX
from specwire.history.schema import timestamps_us
from specwire.history.schema import to_us as _us
from specwire.projectx.bars import bar_label, bar_seconds
from specwire.projectx.history.calendar import CME_GLOBEX, SessionCalendar, week_keys, week_start
from specwire.projectx.history.contracts import (
    ContractSegment,
    RollRule,
    contract_schedule,
    parse_contract_id,
    roll_rule_for,
)
from specwire.projectx.history.gaps import coalesce, find_gaps

log = logging.getLogger("specwire.projectx.history")

_US = 1_000_000
_INTRADAY_UNITS = (1, 2, 3)
_DAY, _WEEK = 4, 5


@runtime_checkable
class BarSource(Protocol):
    """Anything that returns the bars of one contract in ``[start, end)``, oldest first, all pages."""

    def fetch_bars(
        self, contract_id: str, start: datetime, end: datetime, unit: int, unit_number: int
    ) -> Sequence[Any]: ...


@attrs.define
class ProjectXBarSource:
    """Adapts a ``ProjectX`` client (``px.history.bars``) to :class:`BarSource`.

    A contract the Gateway does not know (an expired or never-listed month)
    yields no bars instead of an error, so it ends up in the gap ledger.
    """

    client: Any
    live: bool = False
    requests: int = 0

    def fetch_bars(
        self, contract_id: str, start: datetime, end: datetime, unit: int, unit_number: int
    ) -> Sequence[Any]:
        from specwire.projectx.errors import ContractNotFoundError

        self.requests += 1
        try:
            return list(
                self.client.history.bars(
                    contract_id,
                    start=start,
                    end=end,
                    unit=unit,
                    unit_number=unit_number,
                    live=self.live,
                    include_partial_bar=False,
                )
            )
        except ContractNotFoundError:
            log.info("contract %s not found by the Gateway; %s..%s stays empty", contract_id, start, end)
            return []


def as_bar_source(api_client: Any, *, live: bool = False) -> BarSource:
    """Accept a :class:`BarSource`, a ``ProjectX`` client (``.history.bars``) or an ``APIClient`` (``.px``)."""
    if isinstance(api_client, BarSource):
        return api_client
    inner = getattr(api_client, "px", None)  # the seed-style APIClient wraps a ProjectX client
    if inner is not None and getattr(inner, "history", None) is not None:
        api_client = inner
    history = getattr(api_client, "history", None)
    if history is not None and callable(getattr(history, "bars", None)):
        return ProjectXBarSource(api_client, live=live)
    raise ConfigurationError(
        f"api_client {type(api_client).__name__} offers neither fetch_bars() nor history.bars(); "
        "pass a specwire.projectx.ProjectX client"
    )


@attrs.frozen
class UpdateProgress:
    """One progress report: ``phase`` is ``"fetch"`` or ``"gaps"``; ``done``/``total`` count request windows."""

    phase: str
    done: int
    total: int
    contract_id: str
    window: TimeRange
    bars: int


@attrs.define
class UpdateSummary:
    """What a run changed."""

    added: int = 0
    filled: int = 0
    replaced: int = 0
    requests: int = 0
    contracts: list[str] = attrs.field(factory=list)
    unfillable: list[TimeRange] = attrs.field(factory=list)
    first: datetime | None = None
    last: datetime | None = None
    total_rows: int = 0

    def __str__(self) -> str:
        span = f"{self.first.isoformat()} .. {self.last.isoformat()}" if self.first and self.last else "empty"
        return (
            f"added {self.added} new bars, filled {self.filled} gap bars, "
            f"{len(self.unfillable)} range(s) recorded unfillable, {self.requests} request(s); "
            f"store holds {self.total_rows} bars ({span}); contracts: {', '.join(self.contracts) or 'none'}"
        )


def _aware(value: datetime | str | None, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigurationError(f"{name} {value!r} is not an ISO-8601 date or date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # dates and naive times on the command line mean UTC
    return value.astimezone(UTC)


class HistoricalDataUpdater:
    """Fetch and update the bars of one futures root into Parquet.

    ``main_parquet_file`` ending in ``.parquet`` is a single file (rewritten
    atomically each run); any other path is the root of a partitioned
    :class:`~specwire.history.ParquetBarStore` and the series
    ``symbol=<symbol_root>/bar=<size>`` inside it is updated (cheap
    incremental updates). ``store=`` passes any :class:`BarSeries` directly.

    ``rescan_gaps`` looks for gaps in the whole stored history instead of only
    after the last scan; ``retry_unfillable`` also forgets the ranges recorded
    as unfillable and asks for them again (after a provider outage).

    ``contract_id`` pins one contract instead of following the roll rule.
    ``start``/``end`` override the fetch window (aware datetimes or ISO
    strings; naive means UTC).
    """

    def __init__(
        self,
        api_client: Any,
        symbol_root: str,
        main_parquet_file: str | os.PathLike[str] | None = None,
        temp_file_suffix: str = DEFAULT_TEMP_SUFFIX,
        api_bar_unit: int = 2,
        api_bar_unit_number: int = 1,
        fetch_days_if_new: int = 90,
        *,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        contract_id: str | None = None,
        roll_rule: RollRule | None = None,
        calendar: SessionCalendar = CME_GLOBEX,
        live: bool = False,
        fill_gaps: bool = True,
        rescan_gaps: bool = False,
        retry_unfillable: bool = False,
        gap_coalesce_seconds: float = 6 * 3600,
        store: BarSeries | None = None,
        progress: Callable[[UpdateProgress], None] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not symbol_root or not isinstance(symbol_root, str):
            raise ConfigurationError(f"symbol_root must be a non-empty string, got {symbol_root!r}")
        if fetch_days_if_new < 1:
            raise ConfigurationError(f"fetch_days_if_new must be >= 1, got {fetch_days_if_new!r}")
        try:
            self.label = bar_label(api_bar_unit, api_bar_unit_number)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        self.api_client = api_client
        self.source = as_bar_source(api_client, live=live)
        self.symbol_root = symbol_root
        self.api_bar_unit = api_bar_unit
        self.api_bar_unit_number = api_bar_unit_number
        self.fetch_days_if_new = fetch_days_if_new
        self.temp_file_suffix = temp_file_suffix
        self.start = _aware(start, "start")
        self.end = _aware(end, "end")
        if self.start and self.end and self.end <= self.start:
            raise ConfigurationError(
                f"end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )
        self.contract_id = contract_id
        if contract_id is not None:
            parse_contract_id(contract_id)  # reject a malformed id before any request
            self.roll_rule: RollRule | None = roll_rule
        else:
            self.roll_rule = roll_rule or roll_rule_for(symbol_root)
        self.calendar = calendar
        # Intraday bars of any size; daily and weekly bars of one day / one week (gaps are found per
        # trade date or week). Multi-day, monthly and tick bars are not checked.
        self.fill_gaps = fill_gaps and (
            api_bar_unit in _INTRADAY_UNITS or (api_bar_unit in (_DAY, _WEEK) and api_bar_unit_number == 1)
        )
        self.rescan_gaps = rescan_gaps or retry_unfillable
        self.retry_unfillable = retry_unfillable
        self.gap_coalesce_seconds = gap_coalesce_seconds
        self.progress = progress
        self.clock = clock or (lambda: datetime.now(UTC))
        if store is not None:
            self.series: BarSeries = store
        elif main_parquet_file is None:
            raise ConfigurationError(
                "pass main_parquet_file (a .parquet file or a dataset directory) or store="
            )
        elif Path(main_parquet_file).suffix == ".parquet":
            self.series = ParquetBarFile(main_parquet_file, temp_suffix=temp_file_suffix)
        else:
            self.series = ParquetBarStore(main_parquet_file, temp_suffix=temp_file_suffix).series(
                symbol_root, self.label
            )
        self.main_parquet_file = main_parquet_file

    def __repr__(self) -> str:
        return f"HistoricalDataUpdater({self.symbol_root!r}, {self.label}, {self.series!r})"

    @property
    def bar_seconds(self) -> int | None:
        try:
            return bar_seconds(self.api_bar_unit, self.api_bar_unit_number)
        except ValueError:
            return None

    # -- planning -------------------------------------------------------------------------------

    def segments(self, start: datetime, end: datetime) -> list[ContractSegment]:
        """Front-month segments of ``[start, end)`` (one segment when a contract is pinned)."""
        if end <= start:
            return []
        if self.contract_id is not None:
            return [ContractSegment(parse_contract_id(self.contract_id), TimeRange(start, end))]
        assert self.roll_rule is not None
        return contract_schedule(self.roll_rule, start, end, self.calendar)

    def _forward_window(self, now: datetime) -> TimeRange | None:
        end = self.end or now
        last = self.series.last_timestamp()
        if self.start is not None:
            start = self.start
        elif last is None:
            start = end - timedelta(days=self.fetch_days_if_new)
        else:
            start = last + timedelta(seconds=self.bar_seconds or 1)
        if last is not None and self.start is None and start >= end:
            return None
        return TimeRange(start, end) if end > start else None

    # -- fetching -------------------------------------------------------------------------------

    def _fetch_into_store(
        self, phase: str, windows: list[ContractSegment], summary: UpdateSummary, fetched: list[TimeRange]
    ) -> int:
        added = 0
        for i, seg in enumerate(windows, 1):
            rng = seg.range
            raw = self.source.fetch_bars(
                seg.contract_id, rng.start, rng.end, self.api_bar_unit, self.api_bar_unit_number
            )
            summary.requests += 1
            fetched.append(rng)
            if seg.contract_id not in summary.contracts:
                summary.contracts.append(seg.contract_id)
            table = bars_table(raw, seg.contract_id)
            if table.num_rows:
                # Keep only this segment's bars so each bar is attributed to the contract that was front month.
                ts = timestamps_us(table)
                table = table.filter(pa.array((ts >= _us(rng.start)) & (ts < _us(rng.end))))
            result = self.series.merge(table)
            added += result.added
            summary.replaced += result.replaced
            log.info(
                "%s %d/%d %s %s: %d bars, %d new",
                phase,
                i,
                len(windows),
                seg.contract_id,
                rng,
                table.num_rows,
                result.added,
            )
            if self.progress is not None:
                self.progress(UpdateProgress(phase, i, len(windows), seg.contract_id, rng, table.num_rows))
        return added

    def _fill_gaps(
        self, scan_from: datetime, summary: UpdateSummary, fetched: list[TimeRange], now: datetime
    ) -> None:
        step = self.bar_seconds
        last = self.series.last_timestamp()
        if step is None or last is None:
            return
        scan_to = last + timedelta(seconds=step)
        if scan_to <= scan_from:
            return
        ledger = self.series.ledger
        if self.api_bar_unit in (_DAY, _WEEK):
            # Daily/weekly: compare keys (session open of each trade date, Saturday of each week),
            # so the time of day the Gateway stamps these bars with does not matter.
            scan_to = last + timedelta(microseconds=1)
            expected, stored = self._period_keys(scan_from, last)
        else:
            expected = self.calendar.expected_bar_starts(scan_from, scan_to, step)
            stored = self.series.timestamps(scan_from, scan_to)
        gaps = find_gaps(stored, expected, step, ledger)
        # Ranges this very run already asked for came back without those bars: asking again is pointless.
        to_fetch = [g for g in gaps if not any(f.start <= g.start and g.end <= f.end for f in fetched)]
        spread = self.gap_coalesce_seconds
        if self.api_bar_unit in (_DAY, _WEEK):
            spread = max(spread, 10 * step)  # few bars per request: gaps up to ten bars apart share a window
        windows = coalesce(to_fetch, spread)
        segs = [s for w in windows for s in self.segments(w.start, w.end)]
        if segs:
            log.info("filling %d gap(s) with %d request(s)", len(to_fetch), len(segs))
            summary.filled += self._fetch_into_store("gaps", segs, summary, fetched)
        if gaps:
            if self.api_bar_unit in (_DAY, _WEEK):
                stored = self._period_keys(scan_from, last)[1]
            else:
                stored = self.series.timestamps(scan_from, scan_to)
            remaining = find_gaps(stored, expected, step, ledger)
            if remaining:
                ledger.record(remaining, f"no bars returned for {self.label} bars", now=now)
                summary.unfillable.extend(remaining)
        ledger.mark_checked(scan_to)

    def _period_keys(self, scan_from: datetime, last: datetime) -> tuple[np.ndarray, np.ndarray]:
        """Expected and stored keys of daily (trade date) or weekly periods from ``scan_from`` to the bar at ``last``.

        Only periods up to the newest stored bar's are expected, so the day or
        week still in progress is never reported as a gap.
        """
        if self.api_bar_unit == _WEEK:
            lo = datetime.combine(week_start(scan_from.date()), datetime.min.time(), tzinfo=UTC)
            expected = self.calendar.expected_week_keys(scan_from.date(), last.date())
            stored = week_keys(self.series.timestamps(lo, last + timedelta(microseconds=1)))
        else:
            first_day = self.calendar.trade_date(scan_from)
            lo = self.calendar.session_bounds(first_day)[0] - timedelta(days=1)
            expected = self.calendar.expected_day_keys(first_day, self.calendar.trade_date(last))
            stored = self.calendar.day_keys(self.series.timestamps(lo, last + timedelta(microseconds=1)))
        return expected, stored

    # -- the run --------------------------------------------------------------------------------

    def update_data(self) -> UpdateSummary:
        """Fetch new bars, fill gaps, record what cannot be filled; returns an :class:`UpdateSummary`."""
        now = self.clock()
        summary = UpdateSummary()
        fetched: list[TimeRange] = []
        had_data = self.series.last_timestamp() is not None
        window = self._forward_window(now)
        if window is not None:
            segs = self.segments(window.start, window.end)
            log.info(
                "%s %s: fetching %s in %d contract segment(s)",
                self.symbol_root,
                self.label,
                window,
                len(segs),
            )
            summary.added += self._fetch_into_store("fetch", segs, summary, fetched)
        if self.fill_gaps:
            ledger = self.series.ledger
            if self.retry_unfillable and len(ledger):
                log.info("forgetting %d unfillable range(s) to ask for them again", len(ledger))
                ledger.clear()
            first = self.series.first_timestamp()
            candidates = [
                t for t in (window.start if window and not had_data else None, first) if t is not None
            ]
            scan_from = min(candidates) if candidates else None
            if not self.rescan_gaps and ledger.checked_until is not None and scan_from is not None:
                scan_from = max(scan_from, ledger.checked_until)
            if self.start is not None and scan_from is not None:
                scan_from = min(scan_from, self.start)
            if scan_from is not None:
                self._fill_gaps(scan_from, summary, fetched, now)
        summary.first = self.series.first_timestamp()
        summary.last = self.series.last_timestamp()
        summary.total_rows = len(self.series)
        log.info("%s %s: %s", self.symbol_root, self.label, summary)
        return summary
