"""HistoricalDataUpdater against a fake Gateway served through the real ProjectX client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from specwire.core.errors import ConfigurationError
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.history import ParquetBarFile
from specwire.history.schema import to_us
from specwire.projectx.client import ProjectX
from specwire.projectx.history import CME_GLOBEX
from specwire.projectx.history.updater import HistoricalDataUpdater, UpdateProgress

from tests.unit.projectx_data.pxdata_gateway import FakeGateway

U = UTC
H25, M25 = "CON.F.US.ENQ.H25", "CON.F.US.ENQ.M25"
NOW = datetime(2025, 3, 20, 15, 0, tzinfo=U)
ROLL = datetime(2025, 3, 12, 22, 0, tzinfo=U)  # session open of the 2nd Thursday of March (17:00 CDT)


def gateway(**kw: object) -> FakeGateway:
    contracts = {
        H25: {"from": datetime(2024, 9, 1, tzinfo=U), "to": datetime(2025, 3, 22, tzinfo=U)},
        M25: {"from": datetime(2024, 12, 1, tzinfo=U), "to": datetime(2025, 6, 21, tzinfo=U)},
    }
    kw.setdefault("active", {M25})
    kw.setdefault("now", NOW)
    return FakeGateway(contracts, **kw)  # type: ignore[arg-type]


def client(gw: FakeGateway, **kw: object) -> ProjectX:
    return ProjectX(
        api_key="test-key", username="trader1", api_url="http://gateway.test", transport=gw.transport(), **kw
    )  # type: ignore[arg-type]


class Clock:
    def __init__(self, gw: FakeGateway) -> None:
        self.gw = gw

    def __call__(self) -> datetime:
        return self.gw.now


def test_first_run_then_incremental_run_fetches_only_new_bars(tmp_path: Path) -> None:
    gw = gateway()
    seen: list[UpdateProgress] = []
    up = HistoricalDataUpdater(
        client(gw),
        "NQ",
        tmp_path / "nq_1min.parquet",
        "_temp_update",
        2,
        1,
        14,
        clock=Clock(gw),
        progress=seen.append,
    )
    first = up.update_data()
    expected = gw.bars_for(M25, ROLL, NOW, 2, 1)
    assert first.added == len(expected) == first.total_rows
    assert first.contracts == [H25, M25]
    # Minute bars of the expired March month do not exist any more: remembered as unfillable.
    assert [(r.start, r.end) for r in first.unfillable] == [
        (NOW - timedelta(days=14), datetime(2025, 3, 12, 21, tzinfo=U))
    ]
    assert [p.contract_id for p in seen] == [H25, M25]
    df = pd.read_parquet(tmp_path / "nq_1min.parquet")
    assert df["timestamp"].is_monotonic_increasing and df["timestamp"].is_unique
    assert (df["contract_id"] == M25).all()
    assert df["timestamp"].iloc[0] == pd.Timestamp(ROLL)

    gw.requests.clear()
    gw.now = NOW + timedelta(hours=3)
    second = up.update_data()
    calls = gw.retrieve_calls()
    assert len(calls) == 1 and calls[0]["contractId"] == M25
    assert calls[0]["startTime"].startswith("2025-03-20T15:00:00")
    assert second.added == 180 and second.unfillable == [] and second.total_rows == first.total_rows + 180

    gw.requests.clear()
    third = up.update_data()  # nothing new: one cheap request at most, nothing written
    assert third.added == 0 and len(gw.retrieve_calls()) <= 1


def test_pages_past_the_20000_bar_limit(tmp_path: Path) -> None:
    gw = gateway(now=datetime(2025, 5, 1, 12, tzinfo=U))
    up = HistoricalDataUpdater(
        client(gw), "NQ", tmp_path / "nq.parquet", fetch_days_if_new=30, clock=Clock(gw)
    )
    summary = up.update_data()
    stored = up.series.timestamps()
    expected = gw.bars_for(M25, gw.now - timedelta(days=30), gw.now, 2, 1)
    assert len(expected) > 20_000
    assert np.array_equal(stored, expected)
    assert summary.added == len(expected)
    assert len(gw.retrieve_calls()) >= 2 and all(c["limit"] <= 20_000 for c in gw.retrieve_calls())


def test_roll_across_two_contract_months_hourly(tmp_path: Path) -> None:
    gw = gateway()
    up = HistoricalDataUpdater(
        client(gw),
        "NQ",
        tmp_path / "store",
        api_bar_unit=3,
        api_bar_unit_number=1,
        start="2025-03-03",
        end=NOW,
        clock=Clock(gw),
    )
    summary = up.update_data()
    assert summary.contracts == [H25, M25] and summary.unfillable == []
    df = pd.read_parquet(tmp_path / "store" / "symbol=NQ" / "bar=1h")
    before, after = df[df["timestamp"] < ROLL], df[df["timestamp"] >= ROLL]
    assert len(before) > 0 and len(after) > 0
    assert set(before["contract_id"]) == {H25} and set(after["contract_id"]) == {M25}
    expected = np.concatenate(
        [gw.bars_for(H25, datetime(2025, 3, 3, tzinfo=U), ROLL, 3, 1), gw.bars_for(M25, ROLL, NOW, 3, 1)]
    )
    expected = np.unique(
        expected[(expected >= to_us(datetime(2025, 3, 3, tzinfo=U))) & (expected < to_us(NOW))]
    )
    assert np.array_equal(up.series.timestamps(), expected)


def test_gap_fill_then_unfillable_gap_is_remembered(tmp_path: Path) -> None:
    start = datetime(2025, 3, 17, tzinfo=U)
    session_bars = CME_GLOBEX.expected_bar_starts(start, NOW, 60)
    transient = set(session_bars[[100, 101, 102, 2000]].tolist())
    permanent = set(session_bars[[3000, 3001]].tolist())
    gw = gateway(holes=transient | permanent)
    path = tmp_path / "nq.parquet"
    # An earlier run during an outage left holes and did not look for gaps.
    HistoricalDataUpdater(client(gw), "NQ", path, start=start, clock=Clock(gw), fill_gaps=False).update_data()
    assert len(pd.read_parquet(path)) == len(session_bars) - 6

    gw.holes = permanent  # the outage is over; two minutes simply had no trades
    gw.requests.clear()
    up = HistoricalDataUpdater(client(gw), "NQ", path, clock=Clock(gw))
    summary = up.update_data()
    assert summary.filled == 4 and summary.added == 0  # no new bars after the last stored one
    assert [(r.start, r.end) for r in summary.unfillable] == [
        (
            datetime.fromtimestamp(session_bars[3000] / 1e6, U),
            datetime.fromtimestamp(session_bars[3001] / 1e6 + 60, U),
        )
    ]
    assert len(gw.retrieve_calls()) == 3  # coalesced windows, not one request per missing bar
    assert len(pd.read_parquet(path)) == len(session_bars) - 2

    gw.requests.clear()
    again = HistoricalDataUpdater(client(gw), "NQ", path, clock=Clock(gw), rescan_gaps=True).update_data()
    assert again.filled == 0 and again.unfillable == []
    # A full rescan still finds the remembered range and asks for nothing but new bars.
    assert all(c["startTime"] >= "2025-03-20T15:00" for c in gw.retrieve_calls())

    # After a provider fix, --retry-unfillable forgets the ledger and asks once more.
    gw.holes = set()
    retried = HistoricalDataUpdater(
        client(gw), "NQ", path, clock=Clock(gw), retry_unfillable=True
    ).update_data()
    assert retried.filled == 2 and retried.unfillable == []
    assert len(pd.read_parquet(path)) == len(session_bars)
    assert len(ParquetBarFile(path).ledger) == 0


def test_rate_limit_paces_requests_without_429(tmp_path: Path) -> None:
    fake = [0.0]

    def clock() -> float:
        return fake[0]

    def sleep(seconds: float) -> None:
        fake[0] += seconds

    start = datetime(2025, 3, 13, tzinfo=U)
    bars = CME_GLOBEX.expected_bar_starts(start, NOW, 60)
    holes = set(bars[1::150][:40].tolist())  # 40 gaps inside the stored span, each far from the next
    gw = gateway(holes=holes, bars_rate=(30, 30.0), clock=clock)
    path = tmp_path / "nq.parquet"
    limiter = RateLimiter(
        [RateLimit(30, 30.0, match=lambda r: r.url.path.endswith("/retrieveBars"))], clock=clock, sleep=sleep
    )
    px = client(gw, rate_limiter=limiter)
    HistoricalDataUpdater(px, "NQ", path, start=start, clock=Clock(gw), fill_gaps=False).update_data()
    gw.holes = set()
    summary = HistoricalDataUpdater(px, "NQ", path, clock=Clock(gw), gap_coalesce_seconds=0).update_data()
    assert summary.filled == 40 and summary.requests >= 40
    assert gw.rejected == 0
    assert fake[0] >= 30.0  # the limiter waited instead of sending a burst


def test_partitioned_output_and_bad_arguments(tmp_path: Path) -> None:
    gw = gateway()
    up = HistoricalDataUpdater(
        client(gw),
        "NQ",
        tmp_path / "data",
        api_bar_unit=2,
        api_bar_unit_number=5,
        fetch_days_if_new=3,
        clock=Clock(gw),
    )
    up.update_data()
    assert (tmp_path / "data" / "symbol=NQ" / "bar=5min" / "month=2025-03" / "data.parquet").exists()
    px = client(gw)
    gw.requests.clear()
    with pytest.raises(ConfigurationError, match="'XYZ'"):
        HistoricalDataUpdater(px, "XYZ", tmp_path / "x.parquet")
    with pytest.raises(ConfigurationError, match=r"'CON\.F\.US\.ENQ'"):
        HistoricalDataUpdater(px, "NQ", tmp_path / "x.parquet", contract_id="CON.F.US.ENQ")
    with pytest.raises(ConfigurationError, match="not after start"):
        HistoricalDataUpdater(px, "NQ", tmp_path / "x.parquet", start="2025-03-02", end="2025-03-01")
    with pytest.raises(ConfigurationError, match="bar unit 9"):
        HistoricalDataUpdater(px, "NQ", tmp_path / "x.parquet", api_bar_unit=9)
    with pytest.raises(ConfigurationError, match="'soon'"):
        HistoricalDataUpdater(px, "NQ", tmp_path / "x.parquet", start="soon")
    assert gw.requests == []


def test_pinned_contract_through_the_seed_apiclient(tmp_path: Path) -> None:
    from specwire.projectx.api_client import APIClient

    gw = gateway()
    api = APIClient(
        reauth_username="trader1",
        reauth_api_key="test-key",
        env_file=None,
        api_url="http://gateway.test",
        transport=gw.transport(),
    )
    up = HistoricalDataUpdater(
        api, "NQ", tmp_path / "m.parquet", contract_id=M25, fetch_days_if_new=2, clock=Clock(gw)
    )
    summary = up.update_data()
    assert summary.contracts == [M25] and summary.added == len(
        gw.bars_for(M25, NOW - timedelta(days=2), NOW, 2, 1)
    )
    assert {c["contractId"] for c in gw.retrieve_calls()} == {M25}
