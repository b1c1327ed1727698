"""A remembered list of time ranges the data source could not fill.

Gap filling asks the provider for missing bars; some gaps can never be filled
(quiet minutes with no trades, minute bars of an expired futures month). The
ledger records those ranges beside the data so later runs skip them instead
of asking again forever. It is a small JSON file replaced atomically.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import attrs

from specwire.history.atomic import atomic_write_bytes, remove_stale_temps


@attrs.frozen(order=True)
class TimeRange:
    """A half-open UTC interval ``[start, end)``."""

    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"TimeRange needs aware datetimes, got {self.start!r}..{self.end!r}")
        if self.end < self.start:
            raise ValueError(f"TimeRange end {self.end.isoformat()} is before start {self.start.isoformat()}")

    @property
    def duration_seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    def __str__(self) -> str:
        return f"{self.start.isoformat()} .. {self.end.isoformat()}"


@attrs.frozen
class LedgerEntry:
    range: TimeRange
    reason: str
    recorded_at: datetime


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


class GapLedger:
    """Unfillable ranges for one bar series, persisted at ``path`` (JSON)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._entries: list[LedgerEntry] = []
        self.checked_until: datetime | None = None
        """Gaps before this instant have been looked for already (incremental gap scans start here)."""
        remove_stale_temps(self.path)  # a writer killed mid-save leaves only a hidden temp file
        if self.path.exists():
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("checked_until"):
                self.checked_until = _parse(raw["checked_until"])
            for item in raw.get("unfillable", []):
                self._entries.append(
                    LedgerEntry(
                        TimeRange(_parse(item["start"]), _parse(item["end"])),
                        item.get("reason", ""),
                        _parse(item["recorded_at"]),
                    )
                )

    @property
    def entries(self) -> list[LedgerEntry]:
        return list(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def covers(self, rng: TimeRange) -> bool:
        """True when ``rng`` lies wholly inside one recorded unfillable range."""
        return any(e.range.start <= rng.start and rng.end <= e.range.end for e in self._entries)

    def record(self, ranges: Iterable[TimeRange], reason: str, *, now: datetime | None = None) -> int:
        """Remember ``ranges`` as unfillable and save; returns how many were new."""
        stamp = now or datetime.now(UTC)
        added = 0
        for rng in ranges:
            if self.covers(rng):
                continue
            self._entries.append(LedgerEntry(rng, reason, stamp))
            added += 1
        if added:
            self.save()
        return added

    def clear(self) -> None:
        """Forget every recorded range and the scan mark (the next scan starts from the beginning)."""
        self._entries.clear()
        self.checked_until = None
        self.save()

    def mark_checked(self, until: datetime) -> None:
        """Remember that gaps before ``until`` were scanned (saved immediately)."""
        if self.checked_until is None or until > self.checked_until:
            self.checked_until = until
            self.save()

    def save(self) -> None:
        payload: dict[str, object] = {
            "checked_until": self.checked_until.isoformat() if self.checked_until else None,
            "unfillable": [
                {
                    "start": e.range.start.isoformat(),
                    "end": e.range.end.isoformat(),
                    "reason": e.reason,
                    "recorded_at": e.recorded_at.isoformat(),
                }
                for e in sorted(self._entries, key=lambda e: e.range)
            ],
        }
        # Not fsynced: a ledger lost to a power cut only means asking for those gaps once more.
        atomic_write_bytes(json.dumps(payload, indent=1).encode("utf-8"), self.path, durable=False)
