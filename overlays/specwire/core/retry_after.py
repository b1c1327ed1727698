"""Read a server's "wait this long" hint from response headers.

Shared by the retry transport (to decide the next delay) and by
:class:`~specwire.core.errors.RateLimitError` (to tell the caller how long to
back off), so both agree on one reading of the headers.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping

__all__ = ["parse_retry_after"]


def parse_retry_after(headers: Mapping[str, str], *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks us to wait, or ``None`` when it gave no usable hint.

    Reads ``retry-after-ms`` (milliseconds, non-standard but common) first, then
    ``Retry-After`` as delta-seconds or as an HTTP-date (RFC 9110 §10.2.3). Dates
    in the past give ``0.0``; unparsable values are ignored rather than raised,
    because a malformed hint must not turn a retryable failure into a crash.
    """
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0 and value == value:  # rejects NaN
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        seconds = None
    if seconds is not None:
        return seconds if seconds >= 0 and seconds == seconds else None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now())
