"""Historical bars on disk: a Parquet store any provider can fill.

Two layouts share one API (:class:`~specwire.history.store.BarSeries`):

* :class:`ParquetBarFile` -- one Parquet file, rewritten atomically on every
  update. Simple, and what a single ``main_parquet_file`` asks for.
* :class:`ParquetBarStore` -- a hive-partitioned dataset
  ``<root>/symbol=<S>/bar=<B>/month=<YYYY-MM>/data.parquet``. An update rewrites
  only the months it touches, so appending a day to years of minute bars costs
  one month file, and DuckDB/polars/Spark prune by symbol, bar and month.

Both keep bars sorted by UTC timestamp with no duplicate timestamps and never
leave a half-written file behind (temp file, fsync, rename).
"""

from specwire.history.atomic import atomic_write_bytes, atomic_write_table
from specwire.history.ledger import GapLedger, TimeRange
from specwire.history.schema import BAR_COLUMNS, BAR_SCHEMA, bars_table, normalize_bars
from specwire.history.store import (
    BarSeries,
    MergeResult,
    ParquetBarFile,
    ParquetBarStore,
    PartitionedBarSeries,
    merge_bars,
)

__all__ = [
    "BAR_COLUMNS",
    "BAR_SCHEMA",
    "BarSeries",
    "GapLedger",
    "MergeResult",
    "ParquetBarFile",
    "ParquetBarStore",
    "PartitionedBarSeries",
    "TimeRange",
    "atomic_write_bytes",
    "atomic_write_table",
    "bars_table",
    "merge_bars",
    "normalize_bars",
]
