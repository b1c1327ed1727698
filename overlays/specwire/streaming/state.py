"""Connection states every stream reports, and the record of a change."""

from __future__ import annotations

import enum
import time

import attrs


class ConnectionState(enum.StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    DISCONNECTED = "disconnected"


@attrs.frozen
class StateChange:
    """One transition, delivered to ``on_state_change`` callbacks and async consumers.

    ``reason`` is a short human-readable cause (``"server closed (1006)"``);
    ``error`` carries the exception behind it when there was one; ``attempt``
    counts consecutive reconnect attempts (0 on a first connect); ``delay``, on a
    RECONNECTING change, is how long the transport waits before trying again (the
    backoff, or the server's ``retry:``/``Retry-After`` hint when that is longer).
    """

    old: ConnectionState
    new: ConnectionState
    reason: str = ""
    error: BaseException | None = None
    attempt: int = 0
    at: float = attrs.field(factory=time.time)
    #: for RECONNECTING: seconds the transport waits before its next attempt
    delay: float | None = None
