"""History store benchmarks: bars/s from a loopback Gateway into Parquet, and incremental-update cost.

1. **Fetch throughput.** ``HistoricalDataUpdater`` against the fake Gateway on
   127.0.0.1 (real sockets, real ProjectX client with auth, retry and rate
   limiter), compared with a bare baseline doing the minimum: httpx POSTs of
   the same pages, ``json.loads``, one ``pq.write_table``.
2. **Incremental update on 1,000,000 bars.** A one-day update of a
   1,000,000-minute-bar series (a) in the month-partitioned store and (b) in
   a single Parquet file, each as a ratio to rewriting all 1,000,000 bars.
   Measured for the store alone and for a whole ``update_data()`` run
   (fetch over loopback + merge + gap scan of the new day).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from specwire.history import BAR_SCHEMA, ParquetBarFile, ParquetBarStore, atomic_write_table
from specwire.history.schema import from_us, timestamps_us
from specwire.projectx.client import ProjectX
from specwire.projectx.history import CME_GLOBEX
from specwire.projectx.history.updater import HistoricalDataUpdater

from tests.unit.projectx_data.pxdata_gateway import FakeGateway, price_at

CONTRACT = "CON.F.US.ENQ.M25"


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _client(url: str) -> ProjectX:
    return ProjectX(api_key="test-key", username="bench", api_url=url)


def fetch_throughput(days: int = 60) -> None:
    now = datetime(2025, 6, 1, 12, tzinfo=UTC)
    gw = FakeGateway({CONTRACT: {"from": now - timedelta(days=days + 5), "to": now}}, now=now)
    with gw.serve() as url, tempfile.TemporaryDirectory() as tmp:
        expected = len(gw.bars_for(CONTRACT, now - timedelta(days=days), now, 2, 1))

        def ours() -> None:
            path = Path(tmp) / f"ours-{time.perf_counter_ns()}.parquet"
            up = HistoricalDataUpdater(
                _client(url), "NQ", path, contract_id=CONTRACT, fetch_days_if_new=days, clock=lambda: now
            )
            assert up.update_data().added == expected

        def bare() -> None:
            end = now
            rows: dict[str, dict] = {}
            with httpx.Client(base_url=url) as c:
                while True:
                    body = {
                        "contractId": CONTRACT,
                        "live": False,
                        "startTime": (now - timedelta(days=days)).isoformat(),
                        "endTime": end.isoformat(),
                        "unit": 2,
                        "unitNumber": 1,
                        "limit": 20000,
                        "includePartialBar": False,
                    }
                    bars = json.loads(c.post("/api/History/retrieveBars", json=body).content)["bars"]
                    for b in bars:
                        rows[b["t"]] = b
                    if len(bars) < 20000:
                        break
                    end = datetime.fromisoformat(bars[-1]["t"])
            ordered = [rows[k] for k in sorted(rows)]
            table = pa.table(
                {
                    "timestamp": pa.array(
                        [datetime.fromisoformat(b["t"]) for b in ordered], type=BAR_SCHEMA.field(0).type
                    ),
                    **{
                        k: pa.array([b[s] for b in ordered], type=pa.float64())
                        for k, s in (("open", "o"), ("high", "h"), ("low", "l"), ("close", "c"))
                    },
                    "volume": pa.array([b["v"] for b in ordered], type=pa.int64()),
                    "contract_id": pa.array([CONTRACT] * len(ordered)),
                }
            )
            pq.write_table(table, Path(tmp) / f"bare-{time.perf_counter_ns()}.parquet")

        t_ours, t_bare = _best(ours), _best(bare)
    print(f"fetch {expected:,} minute bars ({days} days, loopback, 20,000-bar pages) into Parquet:")
    print(f"  HistoricalDataUpdater: {expected / t_ours:>12,.0f} bars/s  ({t_ours:.2f} s)")
    print(f"  bare httpx+json+pq:    {expected / t_bare:>12,.0f} bars/s  ({t_bare:.2f} s)")
    print(f"  ratio ours/bare time:  {t_ours / t_bare:.2f}x")


def _synthetic(n: int, end: datetime) -> pa.Table:
    """``n`` session minute bars ending before ``end`` (the same bars the fake Gateway serves)."""
    days = int(n / 1300) + 10
    starts = CME_GLOBEX.expected_bar_starts(end - timedelta(days=days * 7 // 5 + 10), end, 60)[-n:]
    prices = np.fromiter((price_at(int(u)) for u in starts), dtype=np.float64, count=len(starts))
    return pa.table(
        {
            "timestamp": pa.array(starts).cast(BAR_SCHEMA.field(0).type),
            "open": prices,
            "high": prices + 1.0,
            "low": prices - 1.0,
            "close": prices + 0.25,
            "volume": pa.array((starts // 60_000_000 % 50 + 1).astype(np.int64)),
            "contract_id": pa.array([CONTRACT] * len(starts)),
        },
        schema=BAR_SCHEMA,
    )


def incremental_update(n: int = 1_000_000) -> None:
    end_old = datetime(2025, 5, 29, 21, tzinfo=UTC)  # Thursday after the close
    base = _synthetic(n, end_old)
    last_us = int(timestamps_us(base)[-1])
    new_end = end_old + timedelta(days=1)
    day = CME_GLOBEX.expected_bar_starts(from_us(last_us + 60_000_000), new_end, 60)
    day_table = _synthetic(len(day), new_end)
    print(f"one-day update ({day_table.num_rows:,} bars) on {base.num_rows:,} stored minute bars:")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        whole_path = root / "whole.parquet"
        t_whole = _best(lambda: atomic_write_table(base, whole_path, sorting_columns=[pq.SortingColumn(0)]))

        def fresh_partitioned(tag: str) -> ParquetBarStore:
            store = ParquetBarStore(root / tag)
            store.series("NQ", "1min").merge(base)
            return store

        def fresh_file(tag: str) -> ParquetBarFile:
            f = ParquetBarFile(root / f"{tag}.parquet")
            f.merge(base)
            return f

        part_times, file_times = [], []
        for i in range(3):
            series = fresh_partitioned(f"p{i}").series("NQ", "1min")
            t0 = time.perf_counter()
            series.merge(day_table)
            part_times.append(time.perf_counter() - t0)
            single = fresh_file(f"f{i}")
            t0 = time.perf_counter()
            single.merge(day_table)
            file_times.append(time.perf_counter() - t0)
        t_part, t_file = min(part_times), min(file_times)
        print(f"  rewrite all {base.num_rows:,} bars (baseline):  {t_whole * 1000:8.1f} ms")
        print(f"  partitioned store merge:           {t_part * 1000:8.1f} ms   ratio {t_part / t_whole:.3f}")
        print(f"  single-file merge:                 {t_file * 1000:8.1f} ms   ratio {t_file / t_whole:.3f}")

        # Whole update_data() runs: loopback fetch of the new day + merge + incremental gap scan.
        gw = FakeGateway(
            {CONTRACT: {"from": from_us(int(timestamps_us(base)[0])), "to": new_end}}, now=new_end
        )
        runs = []
        with gw.serve() as url:
            px = _client(url)
            for i in range(3):
                store = fresh_partitioned(f"u{i}")
                series = store.series("NQ", "1min")
                series.ledger.mark_checked(from_us(last_us + 60_000_000))
                up = HistoricalDataUpdater(
                    px, "NQ", root / f"u{i}", contract_id=CONTRACT, clock=lambda: new_end
                )
                t0 = time.perf_counter()
                summary = up.update_data()
                runs.append(time.perf_counter() - t0)
                assert summary.added == day_table.num_rows, summary
        t_run = statistics.median(runs)
        print(f"  update_data() incl. loopback fetch: {t_run * 1000:8.1f} ms   ratio {t_run / t_whole:.3f}")


def main() -> None:
    fetch_throughput()
    incremental_update()


if __name__ == "__main__":
    main()
