"""Bar series on disk: one Parquet file, or a hive-partitioned dataset by symbol, bar size and month.

Both layouts keep rows sorted by ``timestamp`` with no duplicate timestamps;
when an update brings a bar whose timestamp is already stored, the newer bar
wins (a partial bar fetched earlier is replaced by the completed one).

Why month partitions: Parquet files cannot be appended to, so a single file
must be rewritten whole on every update -- the cost grows with the file. In
the partitioned layout an update rewrites only the month files it touches
(usually the last one), so appending a day to a million bars costs a few
percent of a full rewrite, and a reader's ``WHERE month >= ...`` or
``symbol = ...`` skips whole directories.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from specwire.core.errors import ConfigurationError
from specwire.history.atomic import DEFAULT_TEMP_SUFFIX, atomic_write_table, remove_stale_temps
from specwire.history.ledger import GapLedger
from specwire.history.schema import BAR_SCHEMA, normalize_bars, timestamps_us, to_us

_SORTING = [pq.SortingColumn(0)]
_PART_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
DATA_FILE = "data.parquet"

# One lock per file path: a merge is read-modify-write, so two threads merging into the
# same file at once would each rewrite it from the same old version and one update would
# be lost. (Separate processes writing one series still need their own coordination.)
_path_locks: dict[str, threading.Lock] = {}
_path_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    key = os.path.abspath(path)
    with _path_locks_guard:
        lock = _path_locks.get(key)
        if lock is None:
            lock = _path_locks[key] = threading.Lock()
        return lock


@attrs.frozen
class MergeResult:
    """What one write changed: new timestamps, overwritten timestamps, rows after, files rewritten.

    ``total`` is the row count after the write for a single file; ``None`` for
    a partitioned series (use ``len(series)``), where counting would mean
    opening every month file on every append.
    """

    added: int = 0
    replaced: int = 0
    total: int | None = 0
    files_written: int = 0

    def __add__(self, other: MergeResult) -> MergeResult:
        return MergeResult(
            self.added + other.added,
            self.replaced + other.replaced,
            other.total,
            self.files_written + other.files_written,
        )


def _empty() -> pa.Table:
    return BAR_SCHEMA.empty_table()


def _us_to_datetime(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz=UTC)


def merge_bars(existing: pa.Table | None, new: pa.Table) -> tuple[pa.Table, int, int]:
    """Merge ``new`` into ``existing``: sorted, one row per timestamp, ``new`` wins on ties.

    Returns ``(merged, added, replaced)``. Within ``new`` the last row for a
    timestamp wins too. Appending strictly newer, already sorted bars skips the
    sort entirely (the common incremental case).
    """
    new = normalize_bars(new)
    new_ts = timestamps_us(new)
    if len(new_ts) > 1 and not (np.all(new_ts[1:] > new_ts[:-1])):
        order = np.argsort(new_ts, kind="stable")
        sorted_ts = new_ts[order]
        keep = np.ones(len(order), dtype=bool)
        keep[:-1] = sorted_ts[1:] != sorted_ts[:-1]
        new = new.take(pa.array(order[keep]))
        new_ts = sorted_ts[keep]
    if existing is None or existing.num_rows == 0:
        return new, len(new_ts), 0
    old_ts = timestamps_us(existing)
    if len(new_ts) == 0:
        return existing, 0, 0
    if new_ts[0] > old_ts[-1]:
        return pa.concat_tables([existing, new]).combine_chunks(), len(new_ts), 0
    combined = pa.concat_tables([existing, new])
    all_ts = np.concatenate([old_ts, new_ts])
    order = np.argsort(all_ts, kind="stable")  # stable: for equal timestamps the new row comes last
    sorted_ts = all_ts[order]
    keep = np.ones(len(order), dtype=bool)
    keep[:-1] = sorted_ts[1:] != sorted_ts[:-1]
    merged = combined.take(pa.array(order[keep]))
    added = merged.num_rows - existing.num_rows
    return merged, added, len(new_ts) - added


def _range_filter(start: datetime | None, end: datetime | None) -> Any:
    expr = None
    field = ds.field("timestamp")
    if start is not None:
        expr = field >= pa.scalar(start, type=BAR_SCHEMA.field("timestamp").type)
    if end is not None:
        cond = field < pa.scalar(end, type=BAR_SCHEMA.field("timestamp").type)
        expr = cond if expr is None else expr & cond
    return expr


def _read_file(
    path: Path, start: datetime | None = None, end: datetime | None = None, columns: list[str] | None = None
) -> pa.Table:
    names = columns or list(BAR_SCHEMA.names)
    if not path.exists():
        return _empty().select(names)
    if start is None and end is None:
        table = pq.read_table(path, schema=BAR_SCHEMA, columns=names)
    else:
        dataset = ds.dataset(path, schema=BAR_SCHEMA, format="parquet")
        table = dataset.to_table(columns=names, filter=_range_filter(start, end))
    return table.select(names)


def _edge_ts_of_file(path: Path, last: bool) -> int | None:
    """First or last timestamp of a sorted file, from row-group statistics when present (no data read)."""
    pf = pq.ParquetFile(path)
    groups = range(pf.metadata.num_row_groups)
    for rg in reversed(groups) if last else groups:
        meta = pf.metadata.row_group(rg)
        if meta.num_rows == 0:
            continue
        stats = meta.column(0).statistics
        if stats is not None and stats.has_min_max and isinstance(stats.max, datetime):
            return to_us(stats.max if last else stats.min)
        us = timestamps_us(pf.read_row_group(rg, columns=["timestamp"]))
        return int(us[-1] if last else us[0])
    return None


def _last_ts_of_file(path: Path) -> int | None:
    return _edge_ts_of_file(path, last=True)


def _first_ts_of_file(path: Path) -> int | None:
    return _edge_ts_of_file(path, last=False)


@runtime_checkable
class BarSeries(Protocol):
    """One instrument at one bar size, however it is laid out on disk."""

    @property
    def ledger(self) -> GapLedger: ...

    def read(self, start: datetime | None = None, end: datetime | None = None) -> pa.Table: ...

    def first_timestamp(self) -> datetime | None: ...

    def last_timestamp(self) -> datetime | None: ...

    def timestamps(self, start: datetime | None = None, end: datetime | None = None) -> np.ndarray: ...

    def merge(self, bars: Any) -> MergeResult: ...

    def __len__(self) -> int: ...


class ParquetBarFile:
    """A bar series kept in one Parquet file, replaced atomically on every change.

    Readable as is: ``pandas.read_parquet(path)``, ``polars.read_parquet(path)``,
    ``duckdb.sql("FROM 'path'")``. Unfillable gaps go to ``<stem>.gaps.json`` beside it.
    """

    def __init__(self, path: str | os.PathLike[str], *, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> None:
        self.path = Path(path)
        if self.path.suffix != ".parquet":
            raise ConfigurationError(f"bar file {str(self.path)!r} must end with .parquet")
        self.temp_suffix = temp_suffix
        self._ledger: GapLedger | None = None

    def __repr__(self) -> str:
        return f"ParquetBarFile({str(self.path)!r})"

    @property
    def ledger(self) -> GapLedger:
        if self._ledger is None:
            self._ledger = GapLedger(self.path.with_suffix(".gaps.json"))
        return self._ledger

    def read(self, start: datetime | None = None, end: datetime | None = None) -> pa.Table:
        return _read_file(self.path, start, end)

    def first_timestamp(self) -> datetime | None:
        if not self.path.exists():
            return None
        us = _first_ts_of_file(self.path)
        return None if us is None else _us_to_datetime(us)

    def last_timestamp(self) -> datetime | None:
        if not self.path.exists():
            return None
        us = _last_ts_of_file(self.path)
        return None if us is None else _us_to_datetime(us)

    def timestamps(self, start: datetime | None = None, end: datetime | None = None) -> np.ndarray:
        if not self.path.exists():
            return np.empty(0, dtype=np.int64)
        return timestamps_us(_read_file(self.path, start, end, ["timestamp"]))

    def merge(self, bars: Any) -> MergeResult:
        """Merge ``bars`` into the file and rewrite it atomically (no write when nothing changed)."""
        new = normalize_bars(bars)
        if new.num_rows == 0:
            return MergeResult(total=self._row_count())
        with _lock_for(self.path):
            return self._merge_locked(new)

    def _merge_locked(self, new: pa.Table) -> MergeResult:
        existing = self.read() if self.path.exists() else None
        merged, added, replaced = merge_bars(existing, new)
        if existing is not None and added == 0 and merged.equals(existing):
            return MergeResult(0, 0, merged.num_rows, 0)
        remove_stale_temps(self.path, self.temp_suffix)
        atomic_write_table(merged, self.path, temp_suffix=self.temp_suffix, sorting_columns=_SORTING)
        return MergeResult(added, replaced, merged.num_rows, 1)

    def _row_count(self) -> int:
        return pq.ParquetFile(self.path).metadata.num_rows if self.path.exists() else 0

    def __len__(self) -> int:
        return self._row_count()


def _month_key(us: np.ndarray) -> np.ndarray:
    return us.astype("datetime64[us]").astype("datetime64[M]")


class PartitionedBarSeries:
    """One ``symbol=<S>/bar=<B>/`` directory of month files (``month=YYYY-MM/data.parquet``).

    An update rewrites only the months it touches, oldest first, each one
    atomically -- so after a crash every month file is complete and the newest
    stored bar is a correct resume point.
    """

    def __init__(self, directory: str | os.PathLike[str], *, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> None:
        self.directory = Path(directory)
        self.temp_suffix = temp_suffix
        self._ledger: GapLedger | None = None
        # Row counts per month file keyed by (mtime, size), so len() does not reopen every file each time.
        self._counts: dict[Path, tuple[int, int, int]] = {}

    def __repr__(self) -> str:
        return f"PartitionedBarSeries({str(self.directory)!r})"

    def _rows_in(self, path: Path) -> int:
        st = path.stat()
        cached = self._counts.get(path)
        if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
            return cached[2]
        rows = pq.ParquetFile(path).metadata.num_rows
        self._counts[path] = (st.st_mtime_ns, st.st_size, rows)
        return rows

    @property
    def ledger(self) -> GapLedger:
        if self._ledger is None:
            self._ledger = GapLedger(self.directory / "_gaps.json")
        return self._ledger

    def month_files(self) -> list[Path]:
        """Existing month files, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(p / DATA_FILE for p in self.directory.glob("month=*") if (p / DATA_FILE).is_file())

    def month_path(self, month: np.datetime64) -> Path:
        return self.directory / f"month={str(month)[:7]}" / DATA_FILE

    def _files_in(self, start: datetime | None, end: datetime | None) -> Iterator[Path]:
        lo = str(np.datetime64(start.astimezone(UTC).replace(tzinfo=None), "M")) if start else None
        hi = str(np.datetime64(end.astimezone(UTC).replace(tzinfo=None), "M")) if end else None
        for path in self.month_files():
            month = path.parent.name.removeprefix("month=")
            if (lo is None or month >= lo) and (hi is None or month <= hi):
                yield path

    def read(self, start: datetime | None = None, end: datetime | None = None) -> pa.Table:
        tables = [_read_file(p, start, end) for p in self._files_in(start, end)]
        return pa.concat_tables(tables) if tables else _empty()

    def first_timestamp(self) -> datetime | None:
        for path in self.month_files():
            us = _first_ts_of_file(path)
            if us is not None:
                return _us_to_datetime(us)
        return None

    def last_timestamp(self) -> datetime | None:
        for path in reversed(self.month_files()):
            us = _last_ts_of_file(path)
            if us is not None:
                return _us_to_datetime(us)
        return None

    def timestamps(self, start: datetime | None = None, end: datetime | None = None) -> np.ndarray:
        parts = [timestamps_us(_read_file(p, start, end, ["timestamp"])) for p in self._files_in(start, end)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def merge(self, bars: Any) -> MergeResult:
        """Merge ``bars``; rewrites only the month files whose months appear in ``bars``."""
        new = normalize_bars(bars)
        if new.num_rows == 0:
            return MergeResult(total=None)
        months = _month_key(timestamps_us(new))
        result = MergeResult()
        for month in np.unique(months):
            chunk = new.filter(pa.array(months == month))
            path = self.month_path(month)
            with _lock_for(path):
                existing = _read_file(path) if path.exists() else None
                merged, added, replaced = merge_bars(existing, chunk)
                if existing is not None and added == 0 and merged.equals(existing):
                    continue
                remove_stale_temps(path, self.temp_suffix)
                atomic_write_table(merged, path, temp_suffix=self.temp_suffix, sorting_columns=_SORTING)
            result = result + MergeResult(added, replaced, 0, 1)
        # ``total`` stays None: counting every month file would make an append cost grow with history.
        return attrs.evolve(result, total=None)

    def __len__(self) -> int:
        return sum(self._rows_in(p) for p in self.month_files())


def _check_part(kind: str, value: str) -> str:
    if not _PART_VALUE.match(value):
        raise ConfigurationError(
            f"{kind} {value!r} cannot name a partition directory: use letters, digits, '.' and '-' only"
        )
    return value


class ParquetBarStore:
    """A hive-partitioned dataset of many instruments: ``<root>/symbol=<S>/bar=<B>/month=<YYYY-MM>/``.

    Query it as a whole without loading everything::

        duckdb.sql("SELECT * FROM read_parquet('<root>/**/*.parquet', hive_partitioning=true) WHERE symbol='NQ'")
        polars.scan_parquet("<root>/**/*.parquet", hive_partitioning=True).filter(pl.col("bar") == "1min")
        pandas.read_parquet("<root>", filters=[("symbol", "=", "NQ")])
    """

    def __init__(self, root: str | os.PathLike[str], *, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> None:
        self.root = Path(root)
        self.temp_suffix = temp_suffix

    def __repr__(self) -> str:
        return f"ParquetBarStore({str(self.root)!r})"

    def series(self, symbol: str, bar: str) -> PartitionedBarSeries:
        """The series for one instrument and bar size (e.g. ``series("NQ", "1min")``)."""
        directory = self.root / f"symbol={_check_part('symbol', symbol)}" / f"bar={_check_part('bar', bar)}"
        return PartitionedBarSeries(directory, temp_suffix=self.temp_suffix)

    def series_keys(self) -> list[tuple[str, str]]:
        """Every ``(symbol, bar)`` present in the store."""
        keys = []
        for sym_dir in sorted(self.root.glob("symbol=*")):
            for bar_dir in sorted(sym_dir.glob("bar=*")):
                keys.append((sym_dir.name.removeprefix("symbol="), bar_dir.name.removeprefix("bar=")))
        return keys

    def dataset(self) -> ds.Dataset:
        """A lazy pyarrow dataset over the whole store with ``symbol``, ``bar``, ``month`` partition columns."""
        part = ds.partitioning(
            pa.schema([("symbol", pa.string()), ("bar", pa.string()), ("month", pa.string())]), flavor="hive"
        )
        return ds.dataset(self.root, format="parquet", partitioning=part)
