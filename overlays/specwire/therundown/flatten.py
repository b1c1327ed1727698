"""Events → flat price rows (one per event, market, participant, line and sportsbook), and → DataFrame.

The REST tree is events → markets → participants → lines → prices keyed by sportsbook id. Most analysis
wants one row per price; this walks the tree once. Off-the-board prices stay as rows (the book *is*
listing the line) but carry :data:`~specwire.therundown.odds.OFF_BOARD` instead of a number, and the
DataFrame form puts ``NaN`` in ``price`` with ``off_board=True``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from specwire.therundown.odds import OFF_BOARD, Price, parse_price

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PRICE_ROW_COLUMNS", "PriceRow", "iter_price_rows", "to_dataframe", "to_rows"]


@attrs.frozen
class PriceRow:
    """One sportsbook's price for one line of one participant in one market of one event."""

    event_id: str | None
    event_date: str | None
    sport_id: int | None
    market_id: int | None
    market_name: str | None
    period_id: int | None
    participant_id: int | None
    participant_name: str | None
    participant_type: str | None
    line: str | None
    sportsbook_id: int
    price: Price | None
    is_main_line: bool | None
    updated_at: str | None
    closed_at: str | None

    @property
    def off_board(self) -> bool:
        return self.price is OFF_BOARD


PRICE_ROW_COLUMNS: tuple[str, ...] = (*(a.name for a in attrs.fields(PriceRow)), "off_board")


def _as_dict(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, Mapping):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict()  # type: ignore[no-any-return]
    raise TypeError(f"expected an event (generated model or dict), got {type(obj).__name__}")


def _events(source: Any) -> Iterable[Mapping[str, Any]]:
    """Accept an events envelope, a list of events, or one event; models or dicts."""
    if isinstance(source, Mapping) or hasattr(source, "to_dict"):
        data = _as_dict(source)
        if "events" in data:
            return [_as_dict(e) for e in data.get("events") or []]
        return [data]
    return [_as_dict(e) for e in source]


def _enum_text(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def iter_price_rows(source: Any, *, main_line_only: bool = False) -> Iterator[PriceRow]:
    """Yield a :class:`PriceRow` for every price in ``source`` (envelope, events, or one event)."""
    for event in _events(source):
        for market in event.get("markets") or []:
            for participant in market.get("participants") or []:
                for line in participant.get("lines") or []:
                    for book, price in (line.get("prices") or {}).items():
                        if main_line_only and not price.get("is_main_line"):
                            continue
                        yield PriceRow(
                            event_id=event.get("event_id"),
                            event_date=event.get("event_date"),
                            sport_id=event.get("sport_id"),
                            market_id=market.get("market_id"),
                            market_name=market.get("name"),
                            period_id=market.get("period_id"),
                            participant_id=participant.get("id"),
                            participant_name=participant.get("name"),
                            participant_type=_enum_text(participant.get("type")),
                            line=line.get("value"),
                            sportsbook_id=int(book),
                            price=parse_price(price.get("price")),
                            is_main_line=price.get("is_main_line"),
                            updated_at=price.get("updated_at"),
                            closed_at=price.get("closed_at"),
                        )


def to_rows(source: Any, *, main_line_only: bool = False) -> list[dict[str, Any]]:
    """Plain dict rows (``price`` is a float or ``OFF_BOARD``; ``off_board`` says which)."""
    rows = []
    for row in iter_price_rows(source, main_line_only=main_line_only):
        d = attrs.asdict(row)
        d["off_board"] = row.off_board
        rows.append(d)
    return rows


def to_dataframe(source: Any, *, main_line_only: bool = False) -> pd.DataFrame:
    """A pandas DataFrame with one row per price; ``price`` is float (NaN when off the board).

    ``updated_at``/``closed_at`` become UTC timestamps; ids are nullable integers.
    """
    import pandas as pd

    records = []
    for row in iter_price_rows(source, main_line_only=main_line_only):
        d = attrs.asdict(row)
        d["off_board"] = row.off_board
        d["price"] = float("nan") if row.price is None or row.price is OFF_BOARD else float(row.price)
        records.append(d)
    frame = pd.DataFrame.from_records(records, columns=list(PRICE_ROW_COLUMNS))
    for column in ("sport_id", "market_id", "period_id", "participant_id", "sportsbook_id"):
        frame[column] = frame[column].astype("Int64")
    frame["price"] = frame["price"].astype("float64")
    frame["off_board"] = frame["off_board"].astype("bool")
    frame["is_main_line"] = frame["is_main_line"].astype("boolean")
    for column in ("event_date", "updated_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True, errors="coerce", format="ISO8601")
    return frame
