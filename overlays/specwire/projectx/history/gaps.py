"""Finding missing bars: expected session bars that the store does not hold.

Works on int64 microsecond arrays so that a million stored bars are checked
with a few vectorised numpy calls. Consecutive missing bars become one range,
and nearby ranges can be coalesced into one request window to stay well under
the bars rate limit.
"""

from __future__ import annotations

import numpy as np

from specwire.history.ledger import GapLedger, TimeRange
from specwire.history.schema import from_us as _dt
from specwire.history.schema import to_us as _us

_US = 1_000_000


def missing_bar_starts(stored_us: np.ndarray, expected_us: np.ndarray) -> np.ndarray:
    """Expected bar starts absent from the stored timestamps."""
    if len(expected_us) == 0:
        return expected_us
    return expected_us[~np.isin(expected_us, stored_us)]


def find_gaps(
    stored_us: np.ndarray,
    expected_us: np.ndarray,
    bar_seconds: int,
    known_unfillable: list[TimeRange] | GapLedger | None = None,
) -> list[TimeRange]:
    """Runs of consecutive missing expected bars, each as ``[first start, last start + bar)``.

    Bars inside ``known_unfillable`` ranges (a :class:`GapLedger` or a list)
    are not reported, so a gap that could not be filled once is not asked for
    again. "Consecutive" is in the expected sequence, so a run may span a
    session break (that range is still one request).
    """
    if len(expected_us) == 0:
        return []
    missing_mask = ~np.isin(expected_us, stored_us)
    if known_unfillable is not None:
        ranges = (
            [e.range for e in known_unfillable.entries]
            if isinstance(known_unfillable, GapLedger)
            else list(known_unfillable)
        )
        for rng in ranges:
            lo = np.searchsorted(expected_us, _us(rng.start), side="left")
            hi = np.searchsorted(expected_us, _us(rng.end), side="left")
            missing_mask[lo:hi] = False
    idx = np.flatnonzero(missing_mask)
    if len(idx) == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) != 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]]))
    step = bar_seconds * _US
    return [
        TimeRange(_dt(expected_us[s]), _dt(expected_us[e] + step)) for s, e in zip(starts, ends, strict=True)
    ]


def coalesce(ranges: list[TimeRange], max_gap_seconds: float) -> list[TimeRange]:
    """Merge ranges separated by at most ``max_gap_seconds`` (fewer, wider requests)."""
    out: list[TimeRange] = []
    for rng in sorted(ranges):
        if out and (rng.start - out[-1].end).total_seconds() <= max_gap_seconds:
            out[-1] = TimeRange(out[-1].start, max(out[-1].end, rng.end))
        else:
            out.append(rng)
    return out
