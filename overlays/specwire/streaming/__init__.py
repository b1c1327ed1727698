"""The streaming core shared by every provider: SSE, plain WebSocket and SignalR.

Each transport reconnects with :class:`~specwire.streaming.backoff.Backoff`,
reports :class:`~specwire.streaming.state.StateChange` records, restores its
subscriptions after a reconnect and decodes events straight from bytes into
the generated msgspec models.

* :mod:`specwire.streaming.sse` — :func:`aconnect_sse` / :func:`connect_sse`:
  resumable SSE over httpx (cursor / ``Last-Event-ID``, idle timeout, backoff),
  built on the bytes-level :class:`SSEDecoder`;
* :mod:`specwire.streaming.websocket` — :class:`ReconnectingWebSocket`:
  reconnect + ``on_connect`` re-subscribe + idle watchdog on ``websockets``;
* :mod:`specwire.streaming.runner` — :class:`BackgroundLoop` and
  :class:`StreamHandle`: callbacks, sync iteration and bounded dispatch for
  sync code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from specwire.streaming.backoff import Backoff
from specwire.streaming.state import ConnectionState, StateChange

if TYPE_CHECKING:
    from specwire.streaming.runner import BackgroundLoop, StreamHandle, StreamOverflowError
    from specwire.streaming.sse import AsyncSSEStream, SSEStream, aconnect_sse, connect_sse
    from specwire.streaming.sse_decoder import ServerSentEvent, SSEDecoder
    from specwire.streaming.websocket import Reconnected, ReconnectingWebSocket

# Transports are imported on first use: ``import specwire.streaming.backoff`` (used by
# the HTTP retry layer) must not pull in websockets and the SSE stack.
_LAZY = {
    "BackgroundLoop": "runner",
    "StreamHandle": "runner",
    "StreamOverflowError": "runner",
    "AsyncSSEStream": "sse",
    "SSEStream": "sse",
    "aconnect_sse": "sse",
    "connect_sse": "sse",
    "ServerSentEvent": "sse_decoder",
    "SSEDecoder": "sse_decoder",
    "Reconnected": "websocket",
    "ReconnectingWebSocket": "websocket",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'specwire.streaming' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"specwire.streaming.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AsyncSSEStream",
    "Backoff",
    "BackgroundLoop",
    "ConnectionState",
    "Reconnected",
    "ReconnectingWebSocket",
    "SSEDecoder",
    "SSEStream",
    "ServerSentEvent",
    "StateChange",
    "StreamHandle",
    "StreamOverflowError",
    "aconnect_sse",
    "connect_sse",
]
