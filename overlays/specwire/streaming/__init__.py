"""The streaming core shared by every provider: SSE, plain WebSocket and SignalR.

Each transport reconnects with :class:`~specwire.streaming.backoff.Backoff`,
reports :class:`~specwire.streaming.state.StateChange` records, restores its
subscriptions after a reconnect and decodes events straight from bytes into
the generated msgspec models.
"""

from specwire.streaming.backoff import Backoff
from specwire.streaming.state import ConnectionState, StateChange

__all__ = ["Backoff", "ConnectionState", "StateChange"]
