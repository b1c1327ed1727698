"""Id/name lists and flattening events into price rows and DataFrames."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from specwire.core.errors import ConfigurationError
from specwire.therundown import OFF_BOARD, iter_price_rows, to_dataframe, to_rows
from specwire.therundown.ids import csv_ids, market_id, sport_id, sportsbook_id
from specwire_gen.therundown.models import EventsResponse

from tests.contract.therundown.cassette_data import example

SNAPSHOT = example("/api/v2/sports/{sportID}/events/{date}")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("NBA", 4), ("nba", 4), (" NFL ", 2), ("UFC/MMA", 7), ("4", 4), (38, 38), ("tennis.atp", 38)],
)
def test_sport_names_and_ids(name: object, expected: int) -> None:
    assert sport_id(name) == expected  # type: ignore[arg-type]


def test_market_and_sportsbook_names() -> None:
    assert [market_id(m) for m in ("moneyline", "spread", "Totals", "Player Points", 563)] == [
        1,
        2,
        3,
        29,
        563,
    ]
    assert [sportsbook_id(b) for b in ("DraftKings", "fanduel", "BetMGM", 0, 27)] == [19, 23, 22, 0, 27]


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: sport_id("curling"), "'curling'"),
        (lambda: sportsbook_id("Acme Book"), "'Acme Book'"),
        (lambda: market_id("nope"), "'nope'"),
        (lambda: sport_id(-1), "-1"),
        (lambda: sport_id(True), "True"),
        (lambda: sport_id(4.0), "4.0"),
    ],
)
def test_unknown_names_are_refused_naming_the_value(call: object, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        call()  # type: ignore[operator]
    assert needle in str(caught.value)


def test_csv_ids_dedupes_keeps_order_and_enforces_the_cap() -> None:
    assert csv_ids(["totals", 1, "moneyline", 2], kind="market") == "3,1,2"
    assert csv_ids("19,23", kind="sportsbook") == "19,23"
    assert csv_ids(None, kind="market") is None
    with pytest.raises(ConfigurationError, match="at most 12 market ids per request, got 13"):
        csv_ids(range(1, 14), kind="market", limit=12)
    with pytest.raises(ConfigurationError, match="empty"):
        csv_ids([], kind="market")


def test_rows_one_per_price_with_every_level() -> None:
    rows = list(iter_price_rows(SNAPSHOT))
    assert len(rows) == 6
    first = rows[0]
    assert (
        first.event_id,
        first.market_id,
        first.market_name,
        first.participant_id,
        first.line,
        first.sportsbook_id,
    ) == (
        "816efd1e5767d7133b5bc70c77173a18",
        1,
        "moneyline",
        145,
        "",
        19,
    )
    assert first.price == 150.0 and first.updated_at == "2026-01-14T22:30:00Z" and first.is_main_line
    over = next(r for r in rows if r.participant_name == "Over")
    assert (over.line, over.price, over.participant_type) == ("224.5", -110.0, "TYPE_RESULT")


def test_generated_models_and_dicts_flatten_the_same() -> None:
    model = EventsResponse.from_dict(SNAPSHOT)
    assert to_rows(model) == to_rows(SNAPSHOT) == to_rows(SNAPSHOT["events"]) == to_rows(model.events)


def _with_off_board() -> dict:
    data = {"events": [dict(SNAPSHOT["events"][0])]}
    market = data["events"][0]["markets"][0]
    market["participants"][0]["lines"][0]["prices"]["23"] = {"price": 0.0001, "is_main_line": False}
    return data


def test_off_board_rows_carry_the_marker_not_a_number() -> None:
    rows = to_rows(_with_off_board())
    pulled = [r for r in rows if r["sportsbook_id"] == 23]
    assert pulled[0]["price"] is OFF_BOARD and pulled[0]["off_board"] is True
    assert all(r["off_board"] is False for r in rows if r["sportsbook_id"] == 19)
    assert len(to_rows(_with_off_board(), main_line_only=True)) == len(rows) - 1


def test_dataframe_types_and_off_board_as_nan() -> None:
    frame = to_dataframe(_with_off_board())
    assert list(frame.columns[:3]) == ["event_id", "event_date", "sport_id"]
    assert frame["price"].dtype == "float64" and str(frame["sportsbook_id"].dtype) == "Int64"
    assert isinstance(frame["updated_at"].dtype, pd.DatetimeTZDtype)
    pulled = frame[frame["off_board"]]
    assert len(pulled) == 1 and math.isnan(pulled["price"].iloc[0])
    assert frame.loc[~frame["off_board"], "price"].tolist() == [150.0, -180.0, -110.0, -110.0, -110.0]


def test_empty_input_gives_an_empty_typed_frame() -> None:
    frame = to_dataframe({"events": []})
    assert frame.empty and "price" in frame.columns
