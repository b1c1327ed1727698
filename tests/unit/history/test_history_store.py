"""The Parquet bar store: sorted, de-duplicated, partitioned, readable by pandas/polars/DuckDB, crash-safe."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from specwire.core.errors import ConfigurationError
from specwire.history import (
    BAR_SCHEMA,
    GapLedger,
    ParquetBarFile,
    ParquetBarStore,
    TimeRange,
    bars_table,
    merge_bars,
)

T0 = datetime(2025, 1, 31, 22, 0, tzinfo=UTC)


def rows(
    n: int, start: datetime = T0, price: float = 100.0, contract: str = "CON.F.US.ENQ.H25"
) -> list[dict]:
    return [
        {
            "t": start + timedelta(minutes=i),
            "o": price + i,
            "h": price + i + 1,
            "l": price + i - 1,
            "c": price + i + 0.5,
            "v": 10 + i,
            "contractId": contract,
        }
        for i in range(n)
    ]


def test_bars_table_accepts_wire_keys_and_rejects_naive_time() -> None:
    table = bars_table(rows(2))
    assert table.schema == BAR_SCHEMA
    assert table.column("contract_id").to_pylist() == ["CON.F.US.ENQ.H25"] * 2
    assert table.column("close").to_pylist() == [100.5, 101.5]
    with pytest.raises(ConfigurationError, match="2025-01-01T00:00:00"):
        bars_table([{"t": datetime(2025, 1, 1), "o": 1, "h": 1, "l": 1, "c": 1, "v": 1}])
    with pytest.raises(ConfigurationError, match="'yesterday'"):
        bars_table([{"t": "yesterday", "o": 1, "h": 1, "l": 1, "c": 1, "v": 1}])


def test_merge_sorts_dedupes_and_newer_bar_wins() -> None:
    old = bars_table(rows(5))
    newer = rows(3, start=T0 + timedelta(minutes=3), price=500.0)  # overlaps minutes 3 and 4
    shuffled = bars_table([*reversed(newer), newer[0]])  # unsorted, with a duplicate inside
    merged, added, replaced = merge_bars(old, shuffled)
    ts = merged.column("timestamp").to_pylist()
    assert ts == sorted(set(ts)) and len(ts) == 6
    assert (added, replaced) == (1, 2)
    assert merged.column("open").to_pylist() == [100, 101, 102, 500, 501, 502]


def test_single_file_merge_is_idempotent_and_readable_everywhere(tmp_path: Path) -> None:
    f = ParquetBarFile(tmp_path / "nq_1min.parquet")
    r1 = f.merge(bars_table(rows(100)))
    assert (r1.added, r1.total, r1.files_written) == (100, 100, 1)
    mtime = f.path.stat().st_mtime_ns
    r2 = f.merge(bars_table(rows(50)))  # same bars again: nothing to write
    assert (r2.added, r2.files_written) == (0, 0) and f.path.stat().st_mtime_ns == mtime
    assert f.last_timestamp() == T0 + timedelta(minutes=99)
    assert f.first_timestamp() == T0
    pdf = pd.read_parquet(f.path)
    assert list(pdf.columns) == list(BAR_SCHEMA.names) and len(pdf) == 100
    assert str(pdf["timestamp"].dt.tz) == "UTC"
    assert pl.read_parquet(f.path).height == 100
    assert duckdb.sql(f"SELECT count(*), min(open) FROM '{f.path}'").fetchall() == [(100, 100.0)]
    assert [n.name for n in tmp_path.iterdir()] == ["nq_1min.parquet"]  # no temp files left


def test_partitioned_layout_rewrites_only_touched_months(tmp_path: Path) -> None:
    store = ParquetBarStore(tmp_path)
    nq = store.series("NQ", "1min")
    res = nq.merge(bars_table(rows(240)))  # 22:00 Jan 31 .. 01:59 Feb 1
    assert res.files_written == 2
    months = [p.parent.name for p in nq.month_files()]
    assert months == ["month=2025-01", "month=2025-02"]
    jan = nq.month_files()[0]
    jan_mtime = jan.stat().st_mtime_ns
    res = nq.merge(bars_table(rows(10, start=T0 + timedelta(hours=5))))
    assert (res.added, res.files_written) == (10, 1)
    assert jan.stat().st_mtime_ns == jan_mtime  # January untouched by a February update
    store.series("ES", "1h").merge(bars_table(rows(3, contract="CON.F.US.EP.H25")))
    assert store.series_keys() == [("ES", "1h"), ("NQ", "1min")]

    got = duckdb.sql(
        f"SELECT symbol, bar, count(*) FROM read_parquet('{tmp_path}/**/*.parquet', hive_partitioning=true) "
        "GROUP BY ALL ORDER BY symbol"
    ).fetchall()
    assert got == [("ES", "1h", 3), ("NQ", "1min", 250)]
    lazy = pl.scan_parquet(f"{tmp_path}/**/*.parquet", hive_partitioning=True)
    assert lazy.filter(pl.col("symbol") == "NQ").select(pl.len()).collect().item() == 250
    pdf = pd.read_parquet(tmp_path, filters=[("symbol", "=", "NQ")])
    assert len(pdf) == 250 and pdf["timestamp"].is_monotonic_increasing
    assert store.dataset().count_rows() == 253
    whole = nq.read()
    assert whole.num_rows == 250
    window = nq.read(T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    assert window.num_rows == 60


def test_partition_names_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"'\.\./etc'"):
        ParquetBarStore(tmp_path).series("../etc", "1min")
    with pytest.raises(ConfigurationError, match="'1 min'"):
        ParquetBarStore(tmp_path).series("NQ", "1 min")
    with pytest.raises(ConfigurationError, match=r"must end with \.parquet"):
        ParquetBarFile(tmp_path / "bars.csv")


def test_interrupted_write_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = ParquetBarFile(tmp_path / "bars.parquet")
    f.merge(bars_table(rows(10)))
    before = f.read()

    def boom(*args: object, **kwargs: object) -> None:
        Path(args[1].name).write_bytes(b"PAR1 half a file")  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(KeyboardInterrupt):
        f.merge(bars_table(rows(5, start=T0 + timedelta(hours=1))))
    assert f.read().equals(before)
    assert [p.name for p in tmp_path.iterdir()] == ["bars.parquet"]


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    import numpy as np, pyarrow as pa
    from specwire.history import ParquetBarFile, BAR_SCHEMA
    n = int(sys.argv[2])
    start = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp() * 1e6)
    ts = pa.array(start + np.arange(n, dtype=np.int64) * 60_000_000, type=pa.int64()).cast(BAR_SCHEMA.field("timestamp").type)
    price = pa.array(np.random.default_rng(1).random(n) * 100)
    table = pa.table([ts, price, price, price, price, pa.array(np.arange(n)), pa.array(["C"] * n)], schema=BAR_SCHEMA)
    print("writing", flush=True)
    while True:
        ParquetBarFile(sys.argv[1]).merge(table)
        table = table.set_column(1, "open", pa.array(np.random.default_rng().random(n)))
    """
)


def _kill_mid_write(path: Path) -> bool:
    """Start a writer, SIGKILL it while its temp file has bytes; True if a temp file was left behind."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "400000"], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"writing"
        deadline = time.monotonic() + 30
        while not any(p.name.endswith(".tmp") and p.stat().st_size > 0 for p in path.parent.iterdir()):
            assert proc.poll() is None, "writer died on its own"
            assert time.monotonic() < deadline, "writer never started writing"
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    return any(p.name.endswith(".tmp") for p in path.parent.iterdir())


def test_killed_writer_subprocess_leaves_previous_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "symbol=NQ" / "bar=1min" / "bars.parquet"
    ParquetBarFile(path).merge(bars_table(rows(1000)))
    # A kill can land just after a rename (between two writes); try until one lands inside a write.
    interrupted = False
    for _ in range(5):
        interrupted = _kill_mid_write(path)
        # Whatever the moment, the target is a complete file: the original or one full new version.
        table = pq.read_table(path)
        assert table.num_rows in (1000, 401_000)
        if interrupted:
            break
    assert interrupted, "no kill landed inside a write"
    # Readers that scan the directory ignore the hidden temp file.
    assert len(pd.read_parquet(tmp_path)) == table.num_rows
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{tmp_path}/**/*.parquet')").fetchall() == [
        (table.num_rows,)
    ]
    # The next write removes the leftover.
    ParquetBarFile(path).merge(bars_table(rows(1, start=datetime(2030, 1, 1, tzinfo=UTC))))
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_gap_ledger_persists_ranges_and_scan_mark(tmp_path: Path) -> None:
    ledger = GapLedger(tmp_path / "_gaps.json")
    rng = TimeRange(T0, T0 + timedelta(hours=1))
    assert ledger.record([rng], "no bars") == 1
    assert ledger.record([TimeRange(T0, T0 + timedelta(minutes=5))], "again") == 0  # already covered
    ledger.mark_checked(T0 + timedelta(days=1))
    again = GapLedger(tmp_path / "_gaps.json")
    assert len(again) == 1 and again.entries[0].range == rng and again.entries[0].reason == "no bars"
    assert again.checked_until == T0 + timedelta(days=1)
    with pytest.raises(ValueError, match="before start"):
        TimeRange(T0, T0 - timedelta(seconds=1))


def test_large_merge_matches_pandas_semantics() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    minutes = rng.integers(0, 3000, n)
    records = [
        {
            "t": T0 + timedelta(minutes=int(m)),
            "o": float(i),
            "h": float(i),
            "l": float(i),
            "c": float(i),
            "v": i,
        }
        for i, m in enumerate(minutes)
    ]
    half = n // 2
    merged, _, _ = merge_bars(bars_table(records[:half]), bars_table(records[half:]))
    expected = pd.DataFrame(records).drop_duplicates("t", keep="last").sort_values("t")
    assert merged.column("open").to_pylist() == expected["o"].tolist()
    assert merged.num_rows == len(expected)
    assert isinstance(merged, pa.Table)


def _slow_parquet_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between a writer's read and its rename, so concurrent writers overlap."""
    import specwire.history.atomic as atomic_mod

    real = atomic_mod.pq.write_table

    def slow(*args: object, **kwargs: object) -> None:
        time.sleep(0.2)
        real(*args, **kwargs)

    monkeypatch.setattr(atomic_mod.pq, "write_table", slow)


def test_concurrent_atomic_writes_to_one_path_never_collide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from specwire.history import atomic_write_table

    _slow_parquet_writes(monkeypatch)
    path = tmp_path / "bars.parquet"
    tables = [bars_table(rows(10)), bars_table(rows(20, start=T0 + timedelta(days=1)))]
    errors: list[BaseException] = []

    def write(table: pa.Table) -> None:
        try:
            atomic_write_table(table, path)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in tables]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert pq.read_table(path).num_rows in (10, 20)  # one complete version, never a mix
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_concurrent_merges_into_one_file_lose_no_bars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    _slow_parquet_writes(monkeypatch)
    path = tmp_path / "bars.parquet"
    errors: list[BaseException] = []

    def merge(start: datetime) -> None:
        try:
            ParquetBarFile(path).merge(bars_table(rows(5, start=start)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=merge, args=(T0 + timedelta(days=d),)) for d in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    assert len(ParquetBarFile(path)) == 15


def test_a_gap_ledger_temp_file_left_by_a_killed_writer_is_cleaned_up(tmp_path: Path) -> None:
    from specwire.history.ledger import GapLedger

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)  # that process has exited: its temp file is stale
    ledger_path = tmp_path / "_gaps.json"
    stale = tmp_path / f".{ledger_path.name}_temp_update.{pid}-1.tmp"
    stale.write_text("{half a ledg")
    GapLedger(ledger_path)
    assert not stale.exists()
