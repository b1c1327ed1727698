"""Market history, opening and closing lines in the shared Parquet layout (``specwire.history``).

Bars do not fit odds, so TheRundown gets its own two schemas, stored the way the shared store stores bars:
one hive-partitioned dataset per kind under a root, each partition file rewritten atomically with
:func:`specwire.history.atomic_write_table` (temp file, fsync, rename: never half a file), rows sorted and
de-duplicated, and readable as is by pandas, polars and DuckDB::

    <root>/market_history/event_id=<id>/data.parquet   one row per price change, unique by ``id``
    <root>/closing/event_id=<id>/data.parquet          one row per (market, period, participant, line, book)
    <root>/openers/event_id=<id>/data.parquet          same layout as closing

Prices are stored as float American odds; the off-the-board sentinel is ``NaN`` with ``off_board = true``
(the wire text stays in ``price_text``), so no average or minimum ever includes it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from specwire.core.errors import ConfigurationError
from specwire.history.atomic import atomic_write_table
from specwire.therundown.flatten import iter_price_rows
from specwire.therundown.odds import OFF_BOARD, parse_price

__all__ = ["CLOSING_SCHEMA", "PRICE_HISTORY_SCHEMA", "OddsHistoryStore", "WriteResult"]

TS = pa.timestamp("us", tz="UTC")
DATA_FILE = "data.parquet"
_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,79}$")

PRICE_HISTORY_SCHEMA = pa.schema(
    [
        pa.field("updated_at", TS, nullable=False),
        pa.field("id", pa.int64(), nullable=False),
        pa.field("market_line_price_id", pa.int64()),
        pa.field("event_id", pa.string()),
        pa.field("sport_id", pa.int32()),
        pa.field("affiliate_id", pa.int32()),
        pa.field("market_participant_id", pa.int64()),
        pa.field("market_id", pa.int64()),
        pa.field("line", pa.string()),
        pa.field("price", pa.float64()),
        pa.field("price_text", pa.string()),
        pa.field("off_board", pa.bool_()),
        pa.field("previous_price", pa.float64()),
        pa.field("change_type", pa.string()),
        pa.field("is_main_line", pa.bool_()),
        pa.field("closed_at", TS),
    ]
)

CLOSING_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("event_date", TS),
        pa.field("sport_id", pa.int32()),
        pa.field("market_id", pa.int64()),
        pa.field("market_name", pa.string()),
        pa.field("period_id", pa.int32()),
        pa.field("participant_id", pa.int64()),
        pa.field("participant_name", pa.string()),
        pa.field("participant_type", pa.string()),
        pa.field("line", pa.string()),
        pa.field("sportsbook_id", pa.int32(), nullable=False),
        pa.field("price", pa.float64()),
        pa.field("off_board", pa.bool_()),
        pa.field("is_main_line", pa.bool_()),
        pa.field("updated_at", TS),
        pa.field("closed_at", TS),
    ]
)
_LINE_KEY = ("market_id", "period_id", "participant_id", "line", "sportsbook_id")


@attrs.frozen
class WriteResult:
    """What one write did: partitions (events) rewritten, rows new to the store, rows stored after."""

    files_written: int = 0
    added: int = 0
    total: int = 0


def _ts(value: Any) -> dt.datetime | None:
    if value is None or value == "" or not isinstance(value, str | dt.datetime):
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):  # "+0000" without a colon
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _price(value: Any) -> tuple[float | None, bool]:
    try:
        price = parse_price(value)
    except ValueError:
        return None, False
    if price is OFF_BOARD:
        return float("nan"), True
    return (None if price is None else float(price)), False


def _plain(obj: Any) -> Mapping[str, Any]:
    return obj if isinstance(obj, Mapping) else obj.to_dict()


def _history_rows(history: Any) -> list[dict[str, Any]]:
    data = _plain(history)
    rows = []
    for item in data.get("history") or []:
        updated = _ts(item.get("updated_at"))
        if updated is None or item.get("id") is None:
            continue  # a change without time or identity cannot be placed in the series
        price, off = _price(item.get("price"))
        previous, _ = _price(item.get("previous_price"))
        raw = item.get("price")
        rows.append(
            {
                "updated_at": updated,
                "id": int(item["id"]),
                "market_line_price_id": item.get("market_line_price_id"),
                "event_id": item.get("event_id") or (data.get("meta") or {}).get("event_id"),
                "sport_id": item.get("sport_id"),
                "affiliate_id": item.get("affiliate_id"),
                "market_participant_id": item.get("market_participant_id"),
                "market_id": item.get("market_id"),
                "line": item.get("line"),
                "price": price,
                "price_text": None if raw is None else str(raw),
                "off_board": off,
                "previous_price": previous,
                "change_type": item.get("change_type"),
                "is_main_line": item.get("is_main_line"),
                "closed_at": _ts(item.get("closed_at")),
            }
        )
    return rows


def _line_rows(events: Any) -> list[dict[str, Any]]:
    rows = []
    for row in iter_price_rows(events):
        price = row.price
        rows.append(
            {
                "event_id": row.event_id,
                "event_date": _ts(row.event_date),
                "sport_id": row.sport_id,
                "market_id": row.market_id,
                "market_name": row.market_name,
                "period_id": row.period_id,
                "participant_id": row.participant_id,
                "participant_name": row.participant_name,
                "participant_type": row.participant_type,
                "line": row.line,
                "sportsbook_id": row.sportsbook_id,
                "price": float("nan") if price is OFF_BOARD else (None if price is None else float(price)),
                "off_board": row.off_board,
                "is_main_line": row.is_main_line,
                "updated_at": _ts(row.updated_at),
                "closed_at": _ts(row.closed_at),
            }
        )
    return rows


def _dedupe_last(table: pa.Table, key: Iterable[str]) -> pa.Table:
    """Keep the last row for each key (a later write wins), preserving first-seen order otherwise."""
    columns = list(key)
    seen: dict[tuple[Any, ...], int] = {}
    values = [table.column(c).to_pylist() for c in columns]
    for i, k in enumerate(zip(*values, strict=True)):
        seen[k] = i
    keep = sorted(seen.values())
    return table.take(pa.array(keep, type=pa.int64())) if len(keep) != table.num_rows else table


class OddsHistoryStore:
    """Odds history datasets under ``root``; see the module docstring for the layout."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"OddsHistoryStore({str(self.root)!r})"

    def path(self, kind: Literal["market_history", "closing", "openers"], event_id: str) -> Path:
        if not isinstance(event_id, str) or not _PART.match(event_id):
            raise ConfigurationError(f"event_id {event_id!r} cannot name a partition (letters, digits, '-')")
        return self.root / kind / f"event_id={event_id}" / DATA_FILE

    # -- writing ------------------------------------------------------------------------------------

    def write_market_history(self, history: Any) -> WriteResult:
        """Store a ``market_history()`` / ``price_history()`` answer; rows unique by ``id``, sorted by time."""
        rows = _history_rows(history)
        by_event: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_event.setdefault(str(row["event_id"]), []).append(row)
        result = WriteResult()
        for event_id, event_rows in by_event.items():
            path = self.path("market_history", event_id)
            new = pa.Table.from_pylist(event_rows, schema=PRICE_HISTORY_SCHEMA)
            old = self._read_file(path, PRICE_HISTORY_SCHEMA)
            before = old.num_rows
            merged = _dedupe_last(pa.concat_tables([old, new]), ["id"])
            merged = merged.sort_by([("updated_at", "ascending"), ("id", "ascending")])
            atomic_write_table(merged, path)
            result = WriteResult(
                result.files_written + 1, result.added + merged.num_rows - before, merged.num_rows
            )
        return result

    def write_closing_lines(self, events: Any) -> WriteResult:
        """Store a ``closing()`` / ``event_closing()`` answer: one row per line and book, newest write wins."""
        return self._write_lines("closing", events)

    def write_opening_lines(self, events: Any) -> WriteResult:
        return self._write_lines("openers", events)

    def _write_lines(self, kind: Literal["closing", "openers"], events: Any) -> WriteResult:
        rows = _line_rows(events)
        by_event: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_event.setdefault(str(row["event_id"]), []).append(row)
        result = WriteResult()
        for event_id, event_rows in by_event.items():
            path = self.path(kind, event_id)
            new = pa.Table.from_pylist(event_rows, schema=CLOSING_SCHEMA)
            old = self._read_file(path, CLOSING_SCHEMA)
            before = old.num_rows
            merged = _dedupe_last(pa.concat_tables([old, new]), _LINE_KEY)
            merged = merged.sort_by([(k, "ascending") for k in _LINE_KEY])
            atomic_write_table(merged, path)
            result = WriteResult(
                result.files_written + 1, result.added + merged.num_rows - before, merged.num_rows
            )
        return result

    # -- reading ------------------------------------------------------------------------------------

    @staticmethod
    def _read_file(path: Path, schema: pa.Schema) -> pa.Table:
        if not path.exists():
            return schema.empty_table()
        return ds.dataset(path, format="parquet", schema=schema).to_table()

    def read(
        self, kind: Literal["market_history", "closing", "openers"], event_id: str | None = None
    ) -> pa.Table:
        """One event's rows, or every event of ``kind`` (with the ``event_id`` partition column)."""
        schema = PRICE_HISTORY_SCHEMA if kind == "market_history" else CLOSING_SCHEMA
        if event_id is not None:
            return self._read_file(self.path(kind, event_id), schema)
        base = self.root / kind
        if not base.exists():
            return schema.empty_table()
        dataset = ds.dataset(base, format="parquet", partitioning="hive", schema=schema)
        table = dataset.to_table()
        if kind == "market_history":
            return table.sort_by([("updated_at", "ascending"), ("id", "ascending")])
        return table

    def price_series(self, event_id: str, *, affiliate_id: int | None = None) -> pa.Table:
        """Market history of one event without off-board rows (ready for charts and averages)."""
        table = self.read("market_history", event_id)
        mask = pc.invert(table.column("off_board"))
        if affiliate_id is not None:
            mask = pc.and_(mask, pc.equal(table.column("affiliate_id"), affiliate_id))
        return table.filter(mask)
