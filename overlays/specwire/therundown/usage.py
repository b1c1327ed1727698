"""Data-point usage, read from the headers of every response, per response and as running totals.

TheRundown bills in data points: ``X-Datapoints`` is what one response cost, ``X-Datapoints-Remaining``
what is left in the period, ``X-Tier`` the plan. Sources disagree on the allowances, so nothing is
hard-coded: the SDK reports what the server says. Every attempt the server answered is counted (a retried
burst-429 still reached the server).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import attrs
import httpx

__all__ = ["Usage", "UsageTracker"]


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    return True if text == "true" else False if text == "false" else None


@attrs.frozen
class Usage:
    """The usage headers of one response (``None`` where the server did not send one)."""

    datapoints: int | None = None
    used: int | None = None
    remaining: int | None = None
    limit: int | None = None
    period: str | None = None
    reset: str | None = None
    monthly_remaining: int | None = None
    monthly_reset: str | None = None
    breakdown: str | None = None
    data_delay_seconds: float | None = None
    websocket_access: bool | None = None
    tier: str | None = None
    rate_limit: float | None = None
    status_code: int | None = None
    path: str | None = None

    @classmethod
    def from_headers(
        cls,
        headers: Mapping[str, str] | httpx.Headers,
        *,
        status_code: int | None = None,
        path: str | None = None,
    ) -> Usage:
        h = httpx.Headers(headers)
        tier = h.get("x-tier")
        return cls(
            datapoints=_int(h.get("x-datapoints")),
            used=_int(h.get("x-datapoints-used")),
            remaining=_int(h.get("x-datapoints-remaining")),
            limit=_int(h.get("x-datapoints-limit")),
            period=h.get("x-datapoints-period"),
            reset=h.get("x-datapoints-reset"),
            monthly_remaining=_int(h.get("x-datapoints-monthly-remaining")),
            monthly_reset=h.get("x-datapoints-monthly-reset"),
            breakdown=h.get("x-datapoints-breakdown"),
            data_delay_seconds=_float(h.get("x-data-delay-seconds")),
            websocket_access=_bool(h.get("x-websocket-access")),
            tier=tier.strip().lower() if tier else None,
            rate_limit=_float(h.get("x-rate-limit")),
            status_code=status_code,
            path=path,
        )

    @property
    def is_real_time(self) -> bool:
        """True when the key's data has no delay (the condition for using delta cursors)."""
        return self.data_delay_seconds == 0


@attrs.define
class UsageTracker:
    """Thread-safe running totals over every response one client received."""

    requests: int = 0
    datapoints: int = 0
    last: Usage | None = None
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False, eq=False)

    def record(self, response: httpx.Response) -> Usage:
        usage = Usage.from_headers(
            response.headers, status_code=response.status_code, path=response.request.url.path
        )
        with self._lock:
            self.requests += 1
            self.datapoints += usage.datapoints or 0
            self.last = usage
        return usage

    def snapshot(self) -> dict[str, Any]:
        """Totals plus the latest server-reported allowance, for display or logging."""
        with self._lock:
            last = self.last
            return {
                "requests": self.requests,
                "datapoints": self.datapoints,
                "remaining": last.remaining if last else None,
                "limit": last.limit if last else None,
                "period": last.period if last else None,
                "tier": last.tier if last else None,
            }

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.datapoints = 0
            self.last = None
