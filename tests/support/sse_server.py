"""A scripted Server-Sent Events server on 127.0.0.1 for stream tests (a real socket, raw HTTP/1.1).

vcrpy can only replay finite bodies without timing, so resumable SSE is tested
against this server instead. Each accepted connection plays the next *script*
(a list of steps); when the scripts run out, ``fallback`` is played (by default a
404, which a client treats as terminal, so a test that reconnects more often than
it expected fails loudly instead of hanging).

Steps:

==========================  ================================================================
``Event(data, event, id)``   one event block (``retry`` too); ``data`` str/bytes/JSON-able
``Comment(text)``            ``: text`` heartbeat line
``Raw(b"...")``              bytes sent verbatim (split CRLFs, half events, a BOM, ...)
``Replay(n)``                the next ``n`` events of the shared ``log`` after the client's
                             cursor (``None``: all of the rest) — for exactly-once tests
``Sleep(s)``                 pause
``Stall()``                  send nothing until the client goes away (idle-timeout tests)
``Drop(mid_chunk=True)``     abort the TCP connection; with chunked framing and
                             ``mid_chunk`` it announces a chunk and sends half of it
``Close()``                  end the body cleanly (terminating chunk / close)
``Status(code, body, ...)``  answer with this status instead of a stream (first step only)
==========================  ================================================================

The client's resume point is ``cursor_from(request)``: by default the ``cursor``
query parameter, else the ``Last-Event-ID`` header; ``Replay`` continues after the
log event whose ``cursor_key(event)`` (default: its ``id``) equals it. Every request is recorded
(``server.requests``: method, path, query, headers, body) so tests can assert what
went on the wire on each reconnect.

Use it as ``async with SSEServer(...) as srv`` in async tests, or ``with
SSEServer(...) as srv`` in sync tests (the server then runs on a background loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs

from tests.support._serving import ServedOnLoopback

__all__ = [
    "Close",
    "Comment",
    "Drop",
    "Event",
    "RecordedRequest",
    "Raw",
    "Replay",
    "SSEServer",
    "Sleep",
    "Stall",
    "Status",
    "encode_event",
]


@attrs.frozen
class Event:
    data: Any
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    def encode(self) -> bytes:
        return encode_event(self.data, event=self.event, id=self.id, retry=self.retry)


@attrs.frozen
class Comment:
    text: str = ""


@attrs.frozen
class Raw:
    data: bytes


@attrs.frozen
class Replay:
    count: int | None = None


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Stall:
    pass


@attrs.frozen
class Drop:
    mid_chunk: bool = True


@attrs.frozen
class Close:
    pass


@attrs.frozen
class Status:
    code: int
    body: bytes | str | Any = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)
    content_type: str = "application/json"


Step = Event | Comment | Raw | Replay | Sleep | Stall | Drop | Close | Status


def encode_event(
    data: Any, *, event: str | None = None, id: str | None = None, retry: int | None = None
) -> bytes:
    """Serialize one SSE block; ``data`` bytes/str are sent as is (split on newlines), else as JSON."""
    if isinstance(data, bytes):
        payload = data
    elif isinstance(data, str):
        payload = data.encode()
    else:
        payload = json.dumps(data, separators=(",", ":")).encode()
    out = []
    if event is not None:
        out.append(b"event: " + event.encode())
    if id is not None:
        out.append(b"id: " + id.encode())
    if retry is not None:
        out.append(b"retry: " + str(retry).encode())
    for line in payload.split(b"\n"):
        out.append(b"data: " + line)
    return b"\n".join(out) + b"\n\n"


@attrs.frozen
class RecordedRequest:
    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes


def _default_cursor_from(req: RecordedRequest) -> str | None:
    return req.query.get("cursor") or req.headers.get("last-event-id") or None


class SSEServer(ServedOnLoopback):
    """Scripted SSE server; see the module docstring."""

    loop_name = "sse-test-server"

    def __init__(
        self,
        scripts: Sequence[Sequence[Step]] = (),
        *,
        log: Sequence[Event] = (),
        framing: str = "chunked",
        fallback: Sequence[Step] | None = None,
        cursor_from: Callable[[RecordedRequest], str | None] = _default_cursor_from,
        cursor_key: Callable[[Event], str | None] = lambda ev: ev.id,
        content_type: str = "text/event-stream",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if framing not in ("chunked", "close"):
            raise ValueError(f"framing must be 'chunked' or 'close', got {framing!r}")
        self.scripts: list[list[Step]] = [list(s) for s in scripts]
        self.log = list(log)
        self.framing = framing
        self.fallback: list[Step] = (
            list(fallback)
            if fallback is not None
            else [Status(404, {"message": "no more scripted connections"})]
        )
        self.cursor_from = cursor_from
        self.cursor_key = cursor_key
        self.content_type = content_type
        self.extra_headers = dict(headers or {})
        self.requests: list[RecordedRequest] = []
        #: ids of events sent, per connection (for exactly-once assertions)
        self.sent: list[list[str | None]] = []
        self.open_connections = 0
        self.host = "127.0.0.1"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for w in list(self._writers):
                w.transport.abort()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    # -- helpers for tests --------------------------------------------------------------

    def url(self, path: str = "/stream", **query: Any) -> str:
        q = f"?{urlencode(query)}" if query else ""
        return f"http://{self.host}:{self.port}{path}{q}"

    @property
    def all_sent_ids(self) -> list[str | None]:
        return [i for conn in self.sent for i in conn]

    # -- serving ------------------------------------------------------------------------

    async def _read_request(self, reader: asyncio.StreamReader) -> RecordedRequest | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        body = b""
        length = int(headers.get("content-length", "0") or 0)
        if length:
            body = await reader.readexactly(length)
        parts = urlsplit(target)
        return RecordedRequest(
            method=method,
            target=target,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=headers,
            body=body,
        )

    def _next_script(self) -> list[Step]:
        with self._lock:
            return self.scripts.pop(0) if self.scripts else list(self.fallback)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self.open_connections += 1
        try:
            req = await self._read_request(reader)
            if req is None:
                return
            self.requests.append(req)
            script = self._next_script()
            sent: list[str | None] = []
            self.sent.append(sent)
            await self._play(req, script, reader, writer, sent)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.open_connections -= 1
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    def _start_position(self, req: RecordedRequest) -> int:
        cursor = self.cursor_from(req)
        if cursor is None:
            return 0
        for i, ev in enumerate(self.log):
            if self.cursor_key(ev) == cursor:
                return i + 1
        return 0

    async def _play(
        self,
        req: RecordedRequest,
        script: list[Step],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        sent: list[str | None],
    ) -> None:
        if script and isinstance(script[0], Status):
            await self._send_status(writer, script[0])
            return
        chunked = self.framing == "chunked"
        head = [
            "HTTP/1.1 200 OK",
            f"Content-Type: {self.content_type}",
            "Cache-Control: no-store",
            "Transfer-Encoding: chunked" if chunked else "Connection: close",
        ]
        head += [f"{k}: {v}" for k, v in self.extra_headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()
        position = self._start_position(req)

        async def send(data: bytes) -> None:
            if not data:
                return
            writer.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            await writer.drain()

        for step in script:
            if isinstance(step, Event):
                await send(step.encode())
                sent.append(step.id)
            elif isinstance(step, Comment):
                await send(b": " + step.text.encode() + b"\n\n" if step.text else b":\n\n")
            elif isinstance(step, Raw):
                await send(step.data)
            elif isinstance(step, Replay):
                end = len(self.log) if step.count is None else min(len(self.log), position + step.count)
                for ev in self.log[position:end]:
                    await send(ev.encode())
                    sent.append(ev.id)
                position = end
            elif isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Stall):
                # nothing more is sent; wait until the client hangs up
                with contextlib.suppress(ConnectionError):
                    while await reader.read(1024):
                        pass
                return
            elif isinstance(step, Drop):
                if step.mid_chunk and chunked:
                    writer.write(b'40\r\ndata: {"half":')
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()
                writer.transport.abort()
                return
            elif isinstance(step, Close):
                break
            elif isinstance(step, Status):
                raise ValueError("Status must be the first step of a script")
        if chunked:
            writer.write(b"0\r\n\r\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    async def _send_status(self, writer: asyncio.StreamWriter, step: Status) -> None:
        body = step.body
        if not isinstance(body, bytes):
            body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        reason = {200: "OK", 204: "No Content"}.get(step.code, "Status")
        head = [f"HTTP/1.1 {step.code} {reason}", f"Content-Length: {len(body)}", "Connection: close"]
        if body or step.code != 204:
            head.append(f"Content-Type: {step.content_type}")
        head += [f"{k}: {v}" for k, v in step.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        writer.close()
