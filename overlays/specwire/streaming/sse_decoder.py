"""Incremental, bytes-level Server-Sent Events parser (the WHATWG event-stream algorithm).

Why our own and not httpx-sse's: this is the hot path of every SSE stream, and
httpx-sse decodes every chunk to ``str``, splits it into lines, re-joins the data
and hands back ``str`` — which the caller then encodes again to feed a JSON
decoder. Working on ``bytes`` end to end lets a provider go straight from the
socket to ``msgspec.json.decode(event.data, type=Model)``.

Differences from httpx-sse, on purpose and per the WHATWG spec:

* a block whose ``data`` is empty (``id:``-only, ``retry:``-only, ``event: ping``
  with no data) is **not** dispatched — but its ``id`` and ``retry`` are recorded
  (:attr:`SSEDecoder.last_event_id`, :attr:`SSEDecoder.retry`);
* ``retry`` persists: it is the most recent valid value the server sent;
* an incomplete block at end of stream is discarded (:meth:`SSEDecoder.close`).

Line ends may be CR, LF or CRLF, and may be split anywhere across chunks
(including between the CR and the LF of a CRLF). A UTF-8 BOM at the very start
of the stream is skipped.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"
_DIGITS = frozenset(b"0123456789")


class ServerSentEvent(msgspec.Struct, frozen=True, gc=False):
    """One dispatched event.

    ``data`` is raw ``bytes`` (multi-line data joined by ``b"\\n"``) so it can be
    decoded without a copy: ``msgspec.json.decode(ev.data, type=Model)``.
    ``id`` is the stream's last event id at dispatch time (it persists across
    events, as the spec requires; ``""`` when none was ever sent). ``retry`` is the
    reconnection time in milliseconds the server last announced, or ``None``.
    """

    data: bytes
    event: str = "message"
    id: str = ""
    retry: int | None = None

    @property
    def text(self) -> str:
        """``data`` decoded as UTF-8 (invalid bytes replaced, as browsers do)."""
        return self.data.decode("utf-8", "replace")

    def json(self, type: Any = Any) -> Any:
        """Decode ``data`` as JSON, optionally straight into a msgspec/attrs ``type``."""
        return msgspec.json.decode(self.data, type=type)


class SSEDecoder:
    """Feed it raw chunks; it returns the events each chunk completes.

    >>> d = SSEDecoder()
    >>> d.feed(b"id: 7\\ndata: {\\"a\\"") + d.feed(b": 1}\\n\\n")
    [ServerSentEvent(data=b'{"a": 1}', event='message', id='7', retry=None)]

    The decoder keeps ``last_event_id`` and ``retry`` as the spec defines them,
    including values carried by blocks that were not dispatched, so a resuming
    client can send ``Last-Event-ID`` and honour the server's ``retry:`` hint.
    """

    __slots__ = (
        "_at_start",
        "_buf",
        "_data",
        "_event",
        "_id_buf",
        "_more",
        "_skip_lf",
        "_special",
        "comments",
        "last_event_id",
        "retry",
    )

    def __init__(self, last_event_id: str = "", retry: int | None = None) -> None:
        self.last_event_id = last_event_id
        # The spec's "last event ID buffer": set by ``id:`` lines, committed to
        # ``last_event_id`` only when the block ends (its blank line). An ``id:`` of a
        # block cut off by a drop must never become the resume point: that event was
        # not delivered, and resuming after it would lose it.
        self._id_buf = last_event_id
        self.retry = retry
        #: Number of comment lines seen (heartbeats such as ``: ping``).
        self.comments = 0
        self._buf = b""
        self._data: bytes | None = None  # the first data line of the block being read
        self._more: list[bytes] | None = None  # its further data lines, if any
        self._event = ""
        self._skip_lf = False
        self._at_start = True
        self._special = True

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Consume one chunk of the body; return the events it completed, in order."""
        if self._special:  # rare: stream start (BOM) or a CR that ended the last chunk
            chunk = self._prepare(chunk)
            if not chunk:
                return []
        if b"\r" in chunk:
            # A CR at the very end may be the first half of a CRLF: end the line now
            # and swallow a LF that starts the next chunk.
            self._skip_lf = self._special = chunk[-1] == 13
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        buf = self._buf
        if b"\n" not in chunk:
            self._buf = buf + chunk if buf else chunk
            return []
        lines = (buf + chunk if buf else chunk).split(b"\n")
        self._buf = lines.pop()
        return self._process(lines)

    def _prepare(self, chunk: bytes) -> bytes:
        if self._at_start:
            chunk = self._strip_bom(chunk)
            if self._at_start:  # still undecided (fewer than 3 bytes so far)
                return b""
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        self._special = self._at_start or self._skip_lf
        return chunk

    def close(self) -> list[ServerSentEvent]:
        """End of stream: per the spec an unterminated block is discarded, never dispatched."""
        self._buf = b""
        self._data = None
        self._more = None
        self._event = ""
        self._id_buf = self.last_event_id
        self._skip_lf = False
        self._special = self._at_start
        return []

    # -- internals -------------------------------------------------------------------

    def _strip_bom(self, chunk: bytes) -> bytes:
        pending = self._buf + chunk
        if len(pending) < 3 and _BOM.startswith(pending):
            self._buf = pending
            return b""
        self._at_start = False
        self._buf = b""
        return pending[3:] if pending.startswith(_BOM) else pending

    def _process(self, lines: list[bytes]) -> list[ServerSentEvent]:
        # Hot loop: state lives in locals and is written back once per chunk. ``data``
        # holds the first data line alone (the common case) and ``more`` any further ones.
        out: list[ServerSentEvent] = []
        append = out.append
        data = self._data
        more = self._more
        event = self._event
        last_id = self._id_buf
        committed = self.last_event_id
        retry = self.retry
        names = _EVENT_NAMES
        comments = 0
        for line in lines:
            if not line:
                committed = last_id
                if data is not None:
                    if more is not None:
                        more.insert(0, data)
                        data = b"\n".join(more)
                        more = None
                    if data:  # a lone empty ``data:`` line dispatches nothing (WHATWG)
                        append(ServerSentEvent(data, event or "message", last_id, retry))
                    data = None
                event = ""
                continue
            first = line[0]
            # fast paths for the three common fields, picked by their first byte
            if first == 100 and line.startswith(b"data:"):  # d
                value = line[6:] if line[5:6] == b" " else line[5:]
                if data is None:
                    data = value
                elif more is None:
                    more = [value]
                else:
                    more.append(value)
                continue
            if first == 105 and line.startswith(b"id:"):  # i
                value = line[4:] if line[3:4] == b" " else line[3:]
                if b"\x00" not in value:
                    try:
                        last_id = value.decode()
                    except UnicodeDecodeError:
                        last_id = value.decode("utf-8", "replace")
                continue
            if first == 101 and line.startswith(b"event:"):  # e
                value = line[7:] if line[6:7] == b" " else line[6:]
                event = names.get(value) or _event_name(value)
                continue
            if first == 58:  # ':' comment, e.g. a heartbeat
                comments += 1
                continue
            # the general rule: ``name[:[ ]value]``
            colon = line.find(b":")
            if colon < 0:
                name, value = line, b""
            else:
                name = line[:colon]
                value = line[colon + 2 :] if line[colon + 1 : colon + 2] == b" " else line[colon + 1 :]
            if name == b"data":
                if data is None:
                    data = value
                elif more is None:
                    more = [value]
                else:
                    more.append(value)
            elif name == b"id":
                if b"\x00" not in value:
                    last_id = _text(value)
            elif name == b"event":
                event = names.get(value) or _event_name(value)
            elif name == b"retry" and value and _DIGITS.issuperset(value):
                retry = int(value)
            # any other field name is ignored, as the spec says
        self._data = data
        self._more = more
        self._event = event
        self._id_buf = last_id
        self.last_event_id = committed
        self.retry = retry
        if comments:
            self.comments += comments
        return out


#: decoded event names, shared: a stream uses a handful of names millions of times
_EVENT_NAMES: dict[bytes, str] = {}


def _text(value: bytes) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError:
        return value.decode("utf-8", "replace")


def _event_name(value: bytes) -> str:
    name = _text(value)
    if len(_EVENT_NAMES) < 256 and len(value) <= 64:
        _EVENT_NAMES[value] = name
    return name
