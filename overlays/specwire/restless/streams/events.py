"""Runtime events: bytes → typed :class:`StreamEvent`, cursor tracking, de-duplication, HMAC checks.

One :class:`EventProcessor` serves a whole subscription, across reconnects and
for both transports, so SSE and WebSocket behave the same:

* **decode** each frame straight from bytes into the generated msgspec model;
  a malformed frame (bad JSON, wrong shape, unknown ``type``) becomes an
  ``error`` event with code :data:`PARSE_ERROR_CODE` — reported, not fatal —
  unless the caller asked for ``raise_parse_errors`` (the official SDK's
  behaviour: :class:`RestlessStreamParseError` ends the stream);
* **cursor** = the event id (SSE ``id:`` when present, else the JSON
  ``eventId``), else ``meta.timestamp`` as whole Unix milliseconds, else
  unchanged — the official SDK's rule, so resumed URLs are the same;
* **exactly once**: an event whose id was already delivered (same id, same
  ``meta.timestamp`` and attempt) is skipped, so a server that resumes
  *inclusively* from the cursor does not produce duplicates;
* **signatures**: with a secret, every ``update`` event's ``signature`` is
  checked; a mismatch (or a missing signature) is delivered as an ``error``
  event with code :data:`SIGNATURE_MISMATCH_CODE` that still carries the
  event's ``data``, ``event_id`` and ``signature`` — the stream goes on. What the
  server signs is not documented: ``signed_payload="data"`` (default) verifies
  the event's ``data``; ``"event"`` verifies the whole event JSON without its
  ``signature`` key; a callable receives the raw decoded event (a dict) and
  returns the value to verify.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

import msgspec
from specwire_gen.restless.stream_models import (
    StreamErrorDetail,
    StreamEvent,
    StreamEventMeta,
    StreamEventType,
)

from specwire.core.redact import redact_text, register_secret
from specwire.restless.errors import RestlessStreamParseError
from specwire.signing import verify_hmac

__all__ = [
    "PARSE_ERROR_CODE",
    "SIGNATURE_MISMATCH_CODE",
    "EventProcessor",
    "SignedPayload",
    "decode_event",
    "timestamp_to_unix_ms",
]

#: ``error.code`` of an error event specwire made from a frame it could not decode.
PARSE_ERROR_CODE = "specwire.parse_error"
#: ``error.code`` of an error event specwire made from an update whose signature did not verify.
SIGNATURE_MISMATCH_CODE = "specwire.signature_mismatch"

SignedPayload = Literal["data", "event"] | Callable[[dict[str, Any]], Any]

_DECODER = msgspec.json.Decoder(StreamEvent)
_RAW_DECODER = msgspec.json.Decoder()
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MS = dt.timedelta(milliseconds=1)
_MAX_FRAME_IN_MESSAGE = 200


def timestamp_to_unix_ms(timestamp: str) -> str | None:
    """``2026-01-01T00:00:05.250+00:00`` → ``"1767225605250"``; ``None`` if unparseable.

    A trailing ``Z`` means UTC, a timestamp without offset is taken as UTC, and
    the result is truncated to whole milliseconds.
    """
    if not isinstance(timestamp, str) or not timestamp:
        return None
    text = timestamp[:-1] + "+00:00" if timestamp.endswith(("Z", "z")) else timestamp
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return str((parsed - _EPOCH) // _ONE_MS)


def decode_event(frame: bytes | str) -> StreamEvent:
    """Decode one event frame, raising :class:`RestlessStreamParseError` naming what is wrong."""
    data = frame.encode("utf-8") if isinstance(frame, str) else frame
    try:
        return _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        shown = data[:_MAX_FRAME_IN_MESSAGE].decode("utf-8", "replace")
        more = "…" if len(data) > _MAX_FRAME_IN_MESSAGE else ""
        raise RestlessStreamParseError(redact_text(f"invalid runtime event ({exc}): {shown}{more}")) from exc


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _event_id(event: StreamEvent, sse_id: str | None) -> str | None:
    if sse_id:
        return sse_id
    value = event.event_id
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


class EventProcessor:
    """Per-subscription state: the cursor, recently delivered ids, the signature check."""

    def __init__(
        self,
        *,
        cursor: str | None = None,
        verify_signatures: str | bytes | None = None,
        signed_payload: SignedPayload = "data",
        raise_parse_errors: bool = False,
        dedupe_window: int = 4096,
    ) -> None:
        if verify_signatures is not None:
            if not isinstance(verify_signatures, str | bytes) or not verify_signatures:
                raise TypeError(
                    "verify_signatures must be the signing secret (a non-empty str or bytes) or None"
                )
            register_secret(
                verify_signatures
                if isinstance(verify_signatures, str)
                else verify_signatures.decode("utf-8", "replace")
            )
        if not (signed_payload in ("data", "event") or callable(signed_payload)):
            raise ValueError(f"signed_payload must be 'data', 'event' or a callable, got {signed_payload!r}")
        if cursor is not None and not isinstance(cursor, str):
            raise TypeError(f"cursor must be a string, got {type(cursor).__name__}")
        self.cursor = cursor or None
        self._secret = verify_signatures
        self._signed_payload = signed_payload
        self.raise_parse_errors = raise_parse_errors
        # two generations of recently delivered keys: O(1) per event, bounded memory
        self._seen: set[str] = set()
        self._older: set[str] = set()
        self._window = max(1, dedupe_window)
        #: Counters, for diagnostics and tests.
        self.delivered = 0
        self.duplicates = 0
        self.parse_errors = 0
        self.signature_failures = 0

    def __repr__(self) -> str:
        return (
            f"EventProcessor(cursor={self.cursor!r}, verifying={self._secret is not None}, "
            f"delivered={self.delivered})"
        )

    def process(self, frame: bytes, sse_id: str | None = None) -> StreamEvent | None:
        """The event to deliver for one frame, or ``None`` when it is a duplicate to skip."""
        try:
            event = decode_event(frame)
        except RestlessStreamParseError as exc:
            self.parse_errors += 1
            if self.raise_parse_errors:
                raise
            return StreamEvent(
                type=StreamEventType.ERROR,
                meta=StreamEventMeta(timestamp=_now_iso()),
                error=StreamErrorDetail(code=PARSE_ERROR_CODE, message=str(exc)),
            )
        event_id = _event_id(event, sse_id)
        if event_id is not None:
            meta = event.meta
            key = f"{event_id}\x00{meta.timestamp}\x00{meta.attempt_id}"
            if key in self._seen or key in self._older:
                self.duplicates += 1
                return None
            self._remember(key)
            self.cursor = event_id
        else:
            self.cursor = timestamp_to_unix_ms(event.meta.timestamp) or self.cursor
        if self._secret is not None and event.type == StreamEventType.UPDATE:
            event = self._verified(event, frame)
        self.delivered += 1
        return event

    def _remember(self, key: str) -> None:
        seen = self._seen
        seen.add(key)
        if len(seen) >= self._window:
            self._older, self._seen = seen, set()

    def _payload(self, event: StreamEvent, frame: bytes) -> Any:
        mode = self._signed_payload
        if mode == "data":
            return None if event.data is msgspec.UNSET else event.data
        raw = _RAW_DECODER.decode(frame)
        if mode == "event":
            return {k: v for k, v in raw.items() if k != "signature"}
        assert callable(mode)
        return mode(raw)

    def _verified(self, event: StreamEvent, frame: bytes) -> StreamEvent:
        assert self._secret is not None
        signature = event.signature if isinstance(event.signature, str) else None
        if signature and verify_hmac(self._secret, self._payload(event, frame), signature):
            return event
        self.signature_failures += 1
        reason = "has no signature" if not signature else "has a signature that does not verify"
        return msgspec.structs.replace(
            event,
            type=StreamEventType.ERROR,
            error=StreamErrorDetail(
                code=SIGNATURE_MISMATCH_CODE,
                message=f"update event {_event_id(event, None) or '(no id)'} {reason}",
            ),
        )
