"""Argument checks and encodings shared by the sync and async facades.

Everything the facade sends passes through here first, so bad input fails with a
:class:`~specwire.core.errors.ConfigurationError` naming the bad value before any request is made:
malformed or impossible dates, unknown sport/market/sportsbook names, too many ids, out-of-range limits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from specwire_gen.therundown.models.bool_string import BoolString
from specwire_gen.therundown.models.participant_type import ParticipantType
from specwire_gen.therundown.types import UNSET, Unset

from specwire.core.errors import ConfigurationError
from specwire.therundown.ids import (
    MAX_MARKET_IDS,
    MAX_PARTICIPANT_IDS,
    IdLike,
    csv_ids,
    sport_id,
    sportsbook_id,
)

__all__ = [
    "DateLike",
    "IdsArg",
    "affiliates",
    "boolean",
    "bounded_int",
    "day",
    "event_id",
    "ids",
    "markets",
    "participant_type",
    "sport",
    "statuses",
    "timestamp",
    "unset",
]

DateLike = dt.date | str
IdsArg = IdLike | Iterable[IdLike] | None

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EVENT_ID = re.compile(r"^[A-Za-z0-9-]{1,80}$")
_STATUS = re.compile(r"^[A-Z_]+$")


def unset(value: Any) -> Any:
    """``None`` → the generated client's ``UNSET`` (parameter left out)."""
    return UNSET if value is None else value


def day(value: DateLike, what: str = "date") -> str:
    """``date(2026, 2, 12)`` / ``"2026-02-12"`` → ``"2026-02-12"``; anything else raises, naming it."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and _DAY.match(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ConfigurationError(f"{what} must be a date or 'YYYY-MM-DD', got {value!r}")


def timestamp(value: dt.datetime | DateLike | None, what: str) -> str | Unset:
    """RFC 3339 bound for ``from``/``to``: aware datetimes are sent in UTC with ``Z``; naive ones are refused."""
    if value is None:
        return UNSET
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ConfigurationError(f"{what} must be timezone-aware (UTC is assumed nowhere), got {value!r}")
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        try:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigurationError(f"{what} must be an RFC 3339 time or a date, got {value!r}") from None
        return text
    raise ConfigurationError(f"{what} must be a datetime, date or RFC 3339 string, got {value!r}")


def event_id(value: object) -> str:
    if not isinstance(value, str) or not _EVENT_ID.match(value):
        raise ConfigurationError(f"event_id must be the v2 event id (letters, digits, '-'), got {value!r}")
    return value


def sport(value: IdLike) -> int:
    return sport_id(value)


def markets(values: IdsArg, limit: int = MAX_MARKET_IDS) -> str | Unset:
    return unset(csv_ids(values, kind="market", limit=limit))


def affiliates(values: IdsArg) -> str | Unset:
    """Sportsbook ids/names; ``0`` alone is the scores-only sentinel and cannot be mixed with books."""
    text = csv_ids(values, kind="sportsbook")
    if text is not None and "0" in text.split(",") and text != "0":
        raise ConfigurationError(
            f"affiliate_ids=0 means scores only and cannot be combined with books: {text!r}"
        )
    return unset(text)


def ids(values: IdsArg, what: str, limit: int | None = None) -> str | Unset:
    return unset(csv_ids(values, kind=what, limit=limit))


def participants(values: IdsArg) -> str | Unset:
    return ids(values, "participant", MAX_PARTICIPANT_IDS)


def boolean(value: bool | None, what: str) -> BoolString | Unset:
    if value is None:
        return UNSET
    if not isinstance(value, bool):
        raise ConfigurationError(f"{what} must be True, False or None, got {value!r}")
    return BoolString.TRUE if value else BoolString.FALSE


def bounded_int(value: int | None, what: str, low: int, high: int) -> int | Unset:
    if value is None:
        return UNSET
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigurationError(f"{what} must be an int from {low} to {high}, got {value!r}")
    return value


def participant_type(value: ParticipantType | str | None) -> ParticipantType | Unset:
    if value is None:
        return UNSET
    text = str(getattr(value, "value", value)).upper()
    if not text.startswith("TYPE_"):
        text = f"TYPE_{text}"
    try:
        member = ParticipantType(text)
    except ValueError:
        member = None
    if member is None or getattr(member, "is_unknown", False):
        raise ConfigurationError(f"participant_type must be team, player or result, got {value!r}")
    return member


def statuses(values: str | Iterable[str] | None, what: str) -> str | Unset:
    if values is None:
        return UNSET
    items = [values] if isinstance(values, str) else list(values)
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            text = part.strip().upper()
            if not text:
                continue
            if not text.startswith("STATUS_"):
                text = f"STATUS_{text}"
            if not _STATUS.match(text):
                raise ConfigurationError(f"{what} entries must look like STATUS_FINAL, got {part!r}")
            out.append(text)
    if not out:
        raise ConfigurationError(f"{what} must not be empty")
    return ",".join(out)


def offset(value: int | None) -> int | Unset:
    """Minutes the day boundary sits behind UTC (300 = US Central)."""
    return bounded_int(value, "offset", -840, 840)


def one_sportsbook(value: IdLike) -> int:
    return sportsbook_id(value)
