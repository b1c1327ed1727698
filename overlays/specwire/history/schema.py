"""The one bar schema every store file uses, and conversions into it.

Columns: ``timestamp`` (UTC, microseconds), ``open``/``high``/``low``/``close``
(float64), ``volume`` (int64) and ``contract_id`` (the instrument the bar came
from, e.g. the futures month; empty string when the provider has none).
Anything that is not convertible is rejected with the offending value named,
before it reaches a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from specwire.core.errors import ConfigurationError

TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")

BAR_SCHEMA = pa.schema(
    [
        pa.field("timestamp", TIMESTAMP_TYPE, nullable=False),
        pa.field("open", pa.float64()),
        pa.field("high", pa.float64()),
        pa.field("low", pa.float64()),
        pa.field("close", pa.float64()),
        pa.field("volume", pa.int64()),
        pa.field("contract_id", pa.string()),
    ]
)
BAR_COLUMNS: tuple[str, ...] = tuple(BAR_SCHEMA.names)

# Accepted spellings per column: our own names and the ProjectX wire keys (t, o, h, l, c, v).
_ALIASES: dict[str, tuple[str, ...]] = {
    "timestamp": ("timestamp", "t", "time"),
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c"),
    "volume": ("volume", "v"),
    "contract_id": ("contract_id", "contractId"),
}


def _get(row: Any, column: str) -> Any:
    names = _ALIASES[column]
    if isinstance(row, Mapping):
        for name in names:
            if name in row:
                return row[name]
        return None
    for name in names:
        value = getattr(row, name, None)
        if value is not None:
            return value
    return None


def _to_utc_datetime(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigurationError(f"bar timestamp {value!r} is not an ISO-8601 date-time") from None
    if not isinstance(value, datetime):
        raise ConfigurationError(f"bar timestamp {value!r} is not a datetime")
    if value.tzinfo is None:
        raise ConfigurationError(
            f"bar timestamp {value.isoformat()!r} has no time zone; pass aware UTC datetimes"
        )
    return value


def _accessor(row: Any, column: str) -> Any:
    """A fast getter for ``column`` chosen once from the first record's shape."""
    names = _ALIASES[column]
    if isinstance(row, Mapping):
        for name in names:
            if name in row:
                return lambda r, n=name: r.get(n)
        return lambda r: None
    for name in names:
        if getattr(row, name, None) is not None:
            return lambda r, n=name: getattr(r, n, None)
    return lambda r: None  # e.g. API bar models carry no contract id: the caller's fills it


def bars_table(rows: Iterable[Any], contract_id: str | None = None) -> pa.Table:
    """Build a :data:`BAR_SCHEMA` table from bar records (dicts, attrs models or msgspec structs).

    Records may use ``timestamp/open/...`` or the ProjectX keys ``t/o/h/l/c/v``;
    ``contract_id`` fills rows that carry none. All records are expected to
    share one shape (as a page of API results does).
    """
    records = list(rows)
    if not records:
        return BAR_SCHEMA.empty_table()
    first = records[0]
    get = {name: _accessor(first, name) for name in BAR_COLUMNS}
    stamps = [get["timestamp"](r) for r in records]
    if not all(isinstance(t, datetime) and t.tzinfo is not None for t in stamps):
        stamps = [_to_utc_datetime(t) for t in stamps]
    fill = contract_id or ""
    cids = [get["contract_id"](r) for r in records]
    try:
        table = pa.table(
            {
                "timestamp": pa.array(stamps, type=TIMESTAMP_TYPE),
                **{
                    name: pa.array([get[name](r) for r in records], type=pa.float64())
                    for name in ("open", "high", "low", "close")
                },
                "volume": pa.array([get["volume"](r) for r in records], type=pa.int64()),
                "contract_id": pa.array([fill if c is None else c for c in cids], type=pa.string()),
            },
            schema=BAR_SCHEMA,
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ConfigurationError(f"bar records do not fit the bar schema: {exc}") from None
    return normalize_bars(table)


def normalize_bars(data: Any) -> pa.Table:
    """Coerce a pyarrow table or pandas/polars DataFrame to :data:`BAR_SCHEMA` (column order and types).

    Naive timestamps are rejected rather than guessed; aware ones are converted
    to UTC. A missing ``contract_id`` column becomes empty strings.
    """
    if not isinstance(data, pa.Table):
        if hasattr(data, "to_arrow"):  # polars
            data = data.to_arrow()
        else:  # pandas
            data = pa.Table.from_pandas(data, preserve_index=False)
    table: pa.Table = data
    missing = [c for c in BAR_COLUMNS if c not in table.column_names and c != "contract_id"]
    if missing:
        raise ConfigurationError(f"bar table lacks column(s) {missing}; has {table.column_names}")
    if "contract_id" not in table.column_names:
        table = table.append_column("contract_id", pa.array([""] * table.num_rows, type=pa.string()))
    ts = table.column("timestamp")
    if not pa.types.is_timestamp(ts.type):
        raise ConfigurationError(f"column 'timestamp' has type {ts.type}; expected a timestamp")
    if ts.type.tz is None:
        raise ConfigurationError("column 'timestamp' has no time zone; expected UTC-aware timestamps")
    if ts.null_count:
        raise ConfigurationError(f"column 'timestamp' has {ts.null_count} null value(s)")
    arrays = []
    for field in BAR_SCHEMA:
        col = table.column(field.name)
        try:
            arrays.append(pc.cast(col, field.type) if col.type != field.type else col)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ConfigurationError(f"column {field.name!r} cannot be read as {field.type}: {exc}") from None
    return pa.Table.from_arrays(arrays, schema=BAR_SCHEMA)


def timestamps_us(table: pa.Table) -> np.ndarray:
    """The ``timestamp`` column as int64 microseconds since the epoch (UTC)."""
    col = table.column("timestamp")
    col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return np.asarray(col.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def to_us(dt: datetime) -> int:
    """An aware datetime as exact int64 microseconds since the epoch."""
    return (dt - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    """Inverse of :func:`to_us` (UTC)."""
    return _EPOCH + timedelta(microseconds=int(us))
