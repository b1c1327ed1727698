"""Market history and closing lines in the Parquet layout: dedupe, order, atomicity, readability."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest
from specwire.core.errors import ConfigurationError
from specwire.therundown.history import OddsHistoryStore
from specwire_gen.therundown.models import EventsResponse, MarketHistoryResponse

from tests.contract.therundown.cassette_data import EVENT, example

HISTORY = example("/api/v2/events/{eventID}/markets/history")
CLOSING = example("/api/v2/events/{eventID}/closing")


def history_with(*extra: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(HISTORY)
    data["history"].extend(extra)
    return data


def change(i: int, price: str, at: str) -> dict[str, Any]:
    return {**HISTORY["history"][0], "id": i, "price": price, "updated_at": at, "change_type": "price_change"}


def test_history_is_stored_sorted_unique_and_typed(tmp_path: Path) -> None:
    store = OddsHistoryStore(tmp_path)
    first = store.write_market_history(MarketHistoryResponse.from_dict(HISTORY))
    assert (first.files_written, first.added, first.total) == (1, 2, 2)
    # the same two again plus one older and one newer change, out of order, and an off-board row
    again = history_with(
        change(500003, "0.0001", "2026-02-11T12:00:00Z"), change(499999, "-100", "2026-02-09T08:00:00Z")
    )
    second = store.write_market_history(again)
    assert (second.added, second.total) == (2, 4)
    table = store.read("market_history", EVENT)
    assert table.column("id").to_pylist() == [499999, 500001, 500002, 500003]
    assert table.column("price").to_pylist()[:3] == [-100.0, -105.0, -110.0]
    pulled = table.to_pylist()[3]
    assert pulled["off_board"] is True and math.isnan(pulled["price"]) and pulled["price_text"] == "0.0001"
    assert table.column("previous_price").to_pylist()[2] == -105.0
    assert str(table.schema.field("updated_at").type) == "timestamp[us, tz=UTC]"
    assert store.price_series(EVENT).num_rows == 3


def test_closing_lines_one_row_per_line_and_book_newest_wins(tmp_path: Path) -> None:
    store = OddsHistoryStore(tmp_path)
    store.write_closing_lines(EventsResponse.from_dict(CLOSING))
    moved = copy.deepcopy(CLOSING)
    moved["events"][0]["markets"][0]["participants"][0]["lines"][0]["prices"]["19"]["price"] = -118
    moved["events"][0]["markets"][0]["participants"][0]["lines"][0]["prices"]["23"] = {"price": 0.0001}
    result = store.write_closing_lines(moved)
    assert (result.added, result.total) == (1, 2)
    rows = store.read("closing", EVENT).to_pylist()
    assert [(r["sportsbook_id"], r["price"] if not r["off_board"] else "OFF") for r in rows] == [
        (19, -118.0),
        (23, "OFF"),
    ]
    assert rows[0]["closed_at"] is not None and rows[0]["market_name"] == "moneyline"


def test_files_are_readable_by_pandas_polars_and_duckdb(tmp_path: Path) -> None:
    store = OddsHistoryStore(tmp_path)
    store.write_market_history(HISTORY)
    store.write_opening_lines(example("/api/v2/events/{eventID}/openers"))
    path = store.path("market_history", EVENT)
    assert pd.read_parquet(path)["price"].tolist() == [-105.0, -110.0]
    assert pl.read_parquet(path)["id"].to_list() == [500001, 500002]
    glob = str(tmp_path / "market_history" / "*" / "data.parquet")
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()
    assert count == [(2,)]
    assert store.read("openers").num_rows == 1
    assert store.read("closing").num_rows == 0


def test_a_failed_write_leaves_the_previous_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = OddsHistoryStore(tmp_path)
    store.write_market_history(HISTORY)
    path = store.path("market_history", EVENT)
    before = path.read_bytes()
    import pyarrow.parquet as pq

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        store.write_market_history(history_with(change(600000, "-120", "2026-02-11T23:00:00Z")))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["data.parquet"]


def test_partition_names_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"'\.\./etc'"):
        OddsHistoryStore(tmp_path).path("closing", "../etc")
