"""Restless Stream's live streams: SSE and WebSocket subscriptions to runtime URLs.

* :mod:`~specwire.restless.streams.events` — the per-event pipeline every
  subscription shares: bytes → typed ``StreamEvent``, cursor tracking,
  exactly-once delivery, HMAC checks, malformed frames reported as error events;
* :mod:`~specwire.restless.streams.subscriptions` — the connections: options,
  resume URLs, runtime auth headers, SSE and WebSocket on the streaming core.

The clients' ``subscribe_*`` methods are the public way in; the runtime URL
builders are in :mod:`specwire.restless.urls`.
"""

from specwire.restless.streams.events import (
    PARSE_ERROR_CODE,
    SIGNATURE_MISMATCH_CODE,
    EventProcessor,
    SignedPayload,
    decode_event,
    timestamp_to_unix_ms,
)
from specwire.restless.streams.subscriptions import (
    DEFAULT_IDLE_TIMEOUT,
    SubscriptionOptions,
    aiter_sse,
    aiter_websocket,
    iter_sse,
)

__all__ = [
    "DEFAULT_IDLE_TIMEOUT",
    "PARSE_ERROR_CODE",
    "SIGNATURE_MISMATCH_CODE",
    "EventProcessor",
    "SignedPayload",
    "SubscriptionOptions",
    "aiter_sse",
    "aiter_websocket",
    "decode_event",
    "iter_sse",
    "timestamp_to_unix_ms",
]
