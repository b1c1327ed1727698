"""Reconnect delays: exponential backoff with full jitter, reset after progress.

Every stream transport (SSE, WebSocket, SignalR) and the HTTP retry transport
use this one policy so that a fleet of clients that lost the same server does
not come back in lock-step ("full jitter": the delay is uniform in
``[0, min(cap, base * multiplier**attempt)]``).
"""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs


@attrs.define
class Backoff:
    """Delay generator for consecutive failures.

    ``next_delay()`` returns the delay before the next attempt and counts the
    attempt; ``reset()`` is called once a connection has proved healthy (an
    event arrived), so a long-lived stream that drops once a day always
    reconnects fast. ``floor`` lets a server hint (SSE ``retry:``,
    ``Retry-After``) raise the minimum delay.
    """

    initial: float = 1.0
    maximum: float = 30.0
    multiplier: float = 2.0
    jitter: bool = True
    max_attempts: int | None = None
    rand: Callable[[], float] = attrs.field(default=random.random, repr=False)
    attempts: int = attrs.field(default=0, init=False)

    def __attrs_post_init__(self) -> None:
        if self.initial < 0 or self.maximum < 0:
            raise ValueError(
                f"backoff delays must be >= 0, got initial={self.initial!r} maximum={self.maximum!r}"
            )
        if self.multiplier < 1:
            raise ValueError(f"backoff multiplier must be >= 1, got {self.multiplier!r}")

    @property
    def exhausted(self) -> bool:
        """True once ``max_attempts`` consecutive attempts were handed out."""
        return self.max_attempts is not None and self.attempts >= self.max_attempts

    def peek_ceiling(self) -> float:
        """Upper bound of the next delay, without counting an attempt."""
        return min(self.maximum, self.initial * self.multiplier**self.attempts)

    def next_delay(self, floor: float = 0.0) -> float:
        ceiling = self.peek_ceiling()
        self.attempts += 1
        delay = ceiling * self.rand() if self.jitter else ceiling
        return max(delay, min(floor, self.maximum) if floor else 0.0)

    def reset(self) -> None:
        self.attempts = 0
