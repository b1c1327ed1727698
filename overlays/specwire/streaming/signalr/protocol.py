"""The SignalR JSON hub protocol (version 1): framing, handshake and the seven message types.

Why our own: none of the Python SignalR clients reconnects, re-negotiates and
resubscribes correctly (``tooling.md`` §5), and the hot path must decode
straight from bytes. This module is pure: no sockets, no asyncio, so the
connection, the loopback test hub and the benchmark share it.

Wire facts (Microsoft's HubProtocol spec):

* every JSON record ends with the ASCII record separator ``0x1E``; one
  WebSocket frame may hold several records, and a record may be split over
  several frames (servers do both), text or binary frames alike;
* the client opens with ``{"protocol":"json","version":1}``; the server answers
  ``{}`` or ``{"error": "..."}``;
* message ``type``: 1 Invocation, 2 StreamItem, 3 Completion,
  4 StreamInvocation, 5 CancelInvocation, 6 Ping, 7 Close (8/9 belong to
  stateful reconnect, which this client does not negotiate; unknown types are
  ignored, as the spec asks).

Messages decode into msgspec Structs tagged on ``type``. Invocation arguments
and completion results stay :class:`msgspec.Raw` (a slice of the input, not
parsed) so the hub layer decodes each argument straight into its typed model.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from specwire.core.errors import StreamParseError

RECORD_SEPARATOR = 0x1E
RS = b"\x1e"
PROTOCOL_NAME = "json"
PROTOCOL_VERSION = 1

__all__ = [
    "RECORD_SEPARATOR",
    "RS",
    "CancelInvocation",
    "Close",
    "Completion",
    "HandshakeResponse",
    "HubMessage",
    "Invocation",
    "MessageType",
    "Ping",
    "RecordBuffer",
    "StreamInvocation",
    "StreamItem",
    "decode_handshake_response",
    "decode_message",
    "encode_handshake_request",
    "encode_message",
    "encode_ping",
]


class MessageType(enum.IntEnum):
    INVOCATION = 1
    STREAM_ITEM = 2
    COMPLETION = 3
    STREAM_INVOCATION = 4
    CANCEL_INVOCATION = 5
    PING = 6
    CLOSE = 7


class _Base(msgspec.Struct, tag_field="type", omit_defaults=True, kw_only=True):
    pass


class Invocation(_Base, tag=1):
    """Call ``target`` with ``arguments``; ``invocation_id`` is set when a Completion is wanted."""

    target: str
    arguments: list[Any]
    invocation_id: str | None = msgspec.field(default=None, name="invocationId")
    stream_ids: list[str] | None = msgspec.field(default=None, name="streamIds")
    headers: dict[str, str] | None = None


class StreamItem(_Base, tag=2):
    invocation_id: str = msgspec.field(name="invocationId")
    item: Any = None
    headers: dict[str, str] | None = None


class Completion(_Base, tag=3):
    """End of an invocation: ``error`` set on failure, ``result`` (raw JSON) on success."""

    invocation_id: str = msgspec.field(name="invocationId")
    result: Any = None
    error: str | None = None
    headers: dict[str, str] | None = None


class StreamInvocation(_Base, tag=4):
    invocation_id: str = msgspec.field(name="invocationId")
    target: str
    arguments: list[Any]
    stream_ids: list[str] | None = msgspec.field(default=None, name="streamIds")
    headers: dict[str, str] | None = None


class CancelInvocation(_Base, tag=5):
    invocation_id: str = msgspec.field(name="invocationId")
    headers: dict[str, str] | None = None


class Ping(_Base, tag=6):
    pass


class Close(_Base, tag=7):
    """The server is closing; ``allow_reconnect`` False means "do not come back"."""

    error: str | None = None
    allow_reconnect: bool = msgspec.field(default=False, name="allowReconnect")


# Incoming forms: arguments/result/item stay raw JSON so the hub layer can
# decode each one straight into its own typed model.
class _InInvocation(_Base, tag=1):
    target: str
    arguments: list[msgspec.Raw] = []
    invocation_id: str | None = msgspec.field(default=None, name="invocationId")
    stream_ids: list[str] | None = msgspec.field(default=None, name="streamIds")
    headers: dict[str, str] | None = None


class _InStreamItem(_Base, tag=2):
    invocation_id: str = msgspec.field(name="invocationId")
    item: msgspec.Raw = msgspec.Raw(b"null")
    headers: dict[str, str] | None = None


class _InCompletion(_Base, tag=3):
    invocation_id: str = msgspec.field(name="invocationId")
    result: msgspec.Raw = msgspec.Raw(b"null")
    error: str | None = None
    headers: dict[str, str] | None = None


class _InStreamInvocation(_Base, tag=4):
    invocation_id: str = msgspec.field(name="invocationId")
    target: str
    arguments: list[msgspec.Raw] = []
    stream_ids: list[str] | None = msgspec.field(default=None, name="streamIds")
    headers: dict[str, str] | None = None


HubMessage = (
    _InInvocation | _InStreamItem | _InCompletion | _InStreamInvocation | CancelInvocation | Ping | Close
)
"""What :func:`decode_message` returns (incoming Invocation/StreamItem/Completion carry raw JSON)."""

# Public names for the incoming forms, for isinstance checks by callers.
IncomingInvocation = _InInvocation
IncomingStreamItem = _InStreamItem
IncomingCompletion = _InCompletion
IncomingStreamInvocation = _InStreamInvocation


class HandshakeResponse(msgspec.Struct, omit_defaults=True):
    error: str | None = None


class _TypeOnly(msgspec.Struct):
    type: int


_decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(HubMessage)
_type_decoder = msgspec.json.Decoder(_TypeOnly)
_handshake_decoder = msgspec.json.Decoder(HandshakeResponse)
_encoder = msgspec.json.Encoder()
_PING = _encoder.encode(Ping()) + RS
_HANDSHAKE = _encoder.encode({"protocol": PROTOCOL_NAME, "version": PROTOCOL_VERSION}) + RS


def encode_handshake_request() -> bytes:
    """``{"protocol":"json","version":1}`` plus the separator."""
    return _HANDSHAKE


def decode_handshake_response(record: bytes | memoryview) -> HandshakeResponse:
    """Parse the server's first record; raises StreamParseError when it is not a JSON object."""
    try:
        return _handshake_decoder.decode(record)
    except msgspec.DecodeError as exc:
        raise StreamParseError(f"invalid SignalR handshake response {bytes(record)[:200]!r}: {exc}") from exc


def encode_message(message: msgspec.Struct) -> bytes:
    """One outgoing message as a complete record (JSON + ``0x1E``)."""
    return _encoder.encode(message) + RS


def encode_ping() -> bytes:
    return _PING


def decode_message(record: bytes | memoryview) -> HubMessage | None:
    """Decode one record; None for a well-formed message of a type this client does not handle.

    Raises :class:`StreamParseError` (naming the bad record) when the record is
    not a valid hub message, so the caller can report it and move on.
    """
    try:
        return _decoder.decode(record)
    except msgspec.ValidationError as exc:
        # A valid JSON object whose type we do not know (8 Ack, 9 Sequence, future
        # types) is skipped; anything else is malformed.
        try:
            kind = _type_decoder.decode(record).type
        except msgspec.DecodeError:
            kind = None
        if kind is not None and kind not in MessageType._value2member_map_:
            return None
        raise StreamParseError(f"malformed SignalR message {bytes(record)[:200]!r}: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise StreamParseError(f"malformed SignalR message {bytes(record)[:200]!r}: {exc}") from exc


class RecordBuffer:
    """Splits a byte stream into ``0x1E``-terminated records across and within frames.

    ``feed(frame)`` yields every complete record; an incomplete tail waits for
    the next frame. ``max_size`` bounds the pending tail so a peer that never
    sends a separator cannot exhaust memory.
    """

    __slots__ = ("_pending", "max_size")

    def __init__(self, max_size: int = 16 * 2**20) -> None:
        self._pending = b""
        self.max_size = max_size

    @property
    def pending(self) -> int:
        """Bytes waiting for their separator."""
        return len(self._pending)

    def clear(self) -> None:
        self._pending = b""

    def feed(self, data: bytes | str) -> list[bytes]:
        """Append a frame; return the records it completed (possibly none)."""
        if isinstance(data, str):
            data = data.encode()
        if self._pending:
            data = self._pending + data
            self._pending = b""
        if data.endswith(RS):
            # The common case: the frame ends on a record boundary.
            records = data.split(RS)
            records.pop()
            if b"" in records:
                records = [r for r in records if r]
            return records
        *records, tail = data.split(RS)
        if len(tail) > self.max_size:
            raise StreamParseError(f"SignalR record exceeds {self.max_size} bytes without a record separator")
        self._pending = tail
        if b"" in records:
            records = [r for r in records if r]
        return records
