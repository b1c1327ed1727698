"""Client-side rate limiting where a provider publishes limits.

Staying under the limit is cheaper than being told off with a 429 (and some
providers penalise repeat offenders). A :class:`RateLimiter` holds one sliding
window log per :class:`RateLimit` rule; a request takes a slot in every rule
that matches it. One ``threading.Lock`` guards the bookkeeping only, so the
threads and asyncio tasks of one session share the same budget; the lock is
never held while waiting. A caller *reserves* its slot (possibly in the future)
before it waits, so waiters do not all wake at once and race for one slot.

A slot reserved by a caller that is then cancelled stays consumed: that errs on
the side of sending less, never more.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import attrs
import httpx

from specwire.core.errors import ConfigurationError

__all__ = ["RateLimit", "RateLimiter"]

RequestMatcher = Callable[[httpx.Request], bool]


def _positive_int(_inst: Any, attr: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"RateLimit.{attr.name} must be an int >= 1, got {value!r}")


def _positive_float(_inst: Any, attr: Any, value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(float(value))
        or value <= 0
    ):
        raise ConfigurationError(f"RateLimit.{attr.name} must be a positive number of seconds, got {value!r}")


@attrs.frozen
class RateLimit:
    """At most ``limit`` requests in any ``period`` seconds, for requests ``match`` accepts (all if ``None``)."""

    limit: int = attrs.field(validator=_positive_int)
    period: float = attrs.field(validator=_positive_float, converter=float)
    match: RequestMatcher | None = attrs.field(default=None, kw_only=True, eq=False)
    name: str | None = attrs.field(default=None, kw_only=True)

    def applies_to(self, request: httpx.Request) -> bool:
        return self.match is None or bool(self.match(request))

    @property
    def label(self) -> str:
        return self.name or f"{self.limit}/{self.period:g}s"


class RateLimiter:
    """Shared sliding-window limiter; ``acquire`` blocks a thread, ``aacquire`` suspends a task.

    ``clock`` must be monotonic (tests pass a fake one); ``sleep``/``asleep``
    are injectable so tests can advance a fake clock instead of waiting.
    """

    def __init__(
        self,
        rules: Iterable[RateLimit],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rules: tuple[RateLimit, ...] = tuple(rules)
        for rule in self.rules:
            if not isinstance(rule, RateLimit):
                raise ConfigurationError(f"RateLimiter rules must be RateLimit instances, got {rule!r}")
        self._clock = clock
        self._sleep = sleep
        self._asleep = asleep
        self._lock = threading.Lock()
        self._logs: list[deque[float]] = [deque() for _ in self.rules]
        self._waited_total = 0.0
        self._granted = 0
        self._paused_until = float("-inf")

    def __repr__(self) -> str:
        return f"RateLimiter({[r.label for r in self.rules]!r})"

    def reserve(self, request: httpx.Request) -> float:
        """Take a slot in every matching rule; return how long to wait before sending (no waiting here)."""
        matching = [i for i, rule in enumerate(self.rules) if rule.applies_to(request)]
        with self._lock:
            now = self._clock()
            at = max(now, self._paused_until)
            for i in matching:
                rule, log = self.rules[i], self._logs[i]
                horizon = now - rule.period
                while log and log[0] <= horizon:
                    log.popleft()
                if log:
                    # First-come first-served: never slot in before an earlier reservation.
                    at = max(at, log[-1])
                if len(log) >= rule.limit:
                    at = max(at, log[-rule.limit] + rule.period)
            for i in matching:
                self._logs[i].append(at)
            delay = at - now
            self._granted += 1
            self._waited_total += delay
        return delay

    def pause(self, seconds: float) -> None:
        """Hold every request back for ``seconds`` (a server's ``Retry-After`` on a 429/503).

        Applies to all callers sharing this limiter, not just the one that was
        told to slow down, so the session backs off as a whole.
        """
        if not math.isfinite(seconds) or seconds <= 0:
            return
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def acquire(self, request: httpx.Request) -> float:
        """Wait (blocking this thread) until ``request`` may be sent; returns the wait in seconds."""
        delay = self.reserve(request)
        if delay > 0:
            self._sleep(delay)
        return delay

    async def aacquire(self, request: httpx.Request) -> float:
        """Wait (suspending this task) until ``request`` may be sent; returns the wait in seconds."""
        delay = self.reserve(request)
        if delay > 0:
            await self._asleep(delay)
        return delay

    def stats(self) -> dict[str, Any]:
        """Snapshot per rule: slots used in the current window and seconds until one frees up."""
        with self._lock:
            now = self._clock()
            rules = []
            for rule, log in zip(self.rules, self._logs, strict=True):
                in_window = [t for t in log if t > now - rule.period]
                used = len(in_window)
                next_free = 0.0 if used < rule.limit else max(0.0, in_window[-rule.limit] + rule.period - now)
                rules.append(
                    {
                        "name": rule.label,
                        "limit": rule.limit,
                        "period": rule.period,
                        "in_window": used,
                        "next_free_in": next_free,
                    }
                )
            return {
                "granted": self._granted,
                "waited_total": self._waited_total,
                "paused_for": max(0.0, self._paused_until - now),
                "rules": rules,
            }
