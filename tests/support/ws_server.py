"""A scripted WebSocket server on 127.0.0.1 for stream tests (``websockets.asyncio.server``).

vcrpy cannot record WebSockets, so stream tests run the real client against this
server. Each accepted connection plays the next *script* (a list of steps); when
the scripts run out, ``fallback`` is played (default: reject the handshake with
404, which the client treats as fatal, so an unexpected reconnect fails loudly).
After its last step a connection stays open, recording what the client sends,
until the client closes it or the server stops.

Steps:

============================  ==============================================================
``Send(frame)``                a text (``str``), binary (``bytes``) or JSON (anything else) frame
``Expect(match, timeout)``     wait for a client frame: ``match`` is None (any frame), a
                               substring, or a predicate on the frame; earlier non-matching
                               frames stay recorded
``Sleep(s)``                   pause
``Stall()``                    send nothing more, keep reading, until the client goes away
``Close(code, reason)``        close handshake from the server side
``Drop()``                     abort the TCP connection (no close frame)
``Reject(status, body)``       refuse the handshake with an HTTP status (first step only)
``Call(fn)``                   ``await fn(connection, record)`` for anything else
============================  ==============================================================

``server.connections`` holds one :class:`ConnectionRecord` per handshake (path,
query, headers, frames received, whether it was rejected). Use it as ``async with
WSServer(...) as srv`` in async tests or ``with WSServer(...) as srv`` in sync
tests (the server then runs on a background loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import attrs
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.support._serving import ServedOnLoopback

__all__ = [
    "Call",
    "Close",
    "ConnectionRecord",
    "Drop",
    "Expect",
    "Reject",
    "Send",
    "Sleep",
    "Stall",
    "WSServer",
]


@attrs.frozen
class Send:
    frame: Any


@attrs.frozen
class Expect:
    match: str | Callable[[str | bytes], bool] | None = None
    timeout: float = 5.0


@attrs.frozen
class Sleep:
    seconds: float


@attrs.frozen
class Stall:
    pass


@attrs.frozen
class Close:
    code: int = 1000
    reason: str = ""


@attrs.frozen
class Drop:
    pass


@attrs.frozen
class Reject:
    status: int = 401
    body: bytes | str | Any = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Call:
    fn: Callable[[ServerConnection, ConnectionRecord], Awaitable[Any]]


Step = Send | Expect | Sleep | Stall | Close | Drop | Reject | Call


@attrs.define
class ConnectionRecord:
    index: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    received: list[str | bytes] = attrs.field(factory=list)
    rejected: int | None = None
    closed: bool = False
    expected: int = 0  # frames already consumed by Expect steps
    new_frame: asyncio.Event = attrs.field(factory=asyncio.Event, repr=False)


def _encode(frame: Any) -> str | bytes:
    if isinstance(frame, str | bytes):
        return frame
    return json.dumps(frame, separators=(",", ":"))


def _matches(match: str | Callable[[str | bytes], bool] | None, frame: str | bytes) -> bool:
    if match is None:
        return True
    if callable(match):
        return bool(match(frame))
    text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
    return match in text


class WSServer(ServedOnLoopback):
    """Scripted WebSocket server; see the module docstring."""

    loop_name = "ws-test-server"

    def __init__(
        self,
        scripts: Sequence[Sequence[Step]] = (),
        *,
        fallback: Sequence[Step] | None = None,
        max_size: int | None = 16 * 1024 * 1024,
        ping_interval: float | None = None,
    ) -> None:
        self.scripts: list[list[Step]] = [list(s) for s in scripts]
        self.fallback: list[Step] = (
            list(fallback) if fallback is not None else [Reject(404, "no more scripts")]
        )
        self.max_size = max_size
        self.ping_interval = ping_interval
        self.connections: list[ConnectionRecord] = []
        self.host = "127.0.0.1"
        self.port = 0
        self._server: Server | None = None
        self._plans: dict[int, tuple[ConnectionRecord, list[Step]]] = {}
        self._lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await serve(
            self._handler,
            self.host,
            0,
            process_request=self._process_request,
            max_size=self.max_size,
            ping_interval=self.ping_interval,
            compression=None,
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    # -- helpers for tests --------------------------------------------------------------

    def url(self, path: str = "/ws", **query: Any) -> str:
        q = f"?{urlencode(query)}" if query else ""
        return f"ws://{self.host}:{self.port}{path}{q}"

    @property
    def open_connections(self) -> int:
        return sum(1 for c in self.connections if c.rejected is None and not c.closed)

    # -- serving ------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        with self._lock:
            script = self.scripts.pop(0) if self.scripts else list(self.fallback)
            parts = urlsplit(request.path)
            record = ConnectionRecord(
                index=len(self.connections),
                path=parts.path,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in request.headers.raw_items()},
            )
            self.connections.append(record)
        if script and isinstance(script[0], Reject):
            step = script[0]
            record.rejected = step.status
            body = step.body
            if not isinstance(body, bytes):
                body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers = Headers(step.headers)
            headers.setdefault(
                "Content-Type", "application/json" if body[:1] in (b"{", b"[") else "text/plain"
            )
            headers["Content-Length"] = str(len(body))
            try:
                reason = HTTPStatus(step.status).phrase
            except ValueError:
                reason = "Status"
            return Response(step.status, reason, headers, body)
        self._plans[id(connection)] = (record, script)
        return None

    async def _handler(self, ws: ServerConnection) -> None:
        record, script = self._plans.pop(id(ws))
        reader = asyncio.get_running_loop().create_task(self._read(ws, record))
        try:
            for step in script:
                if isinstance(step, Send):
                    await ws.send(_encode(step.frame))
                elif isinstance(step, Expect):
                    await self._expect(record, step)
                elif isinstance(step, Sleep):
                    await asyncio.sleep(step.seconds)
                elif isinstance(step, Stall):
                    break
                elif isinstance(step, Close):
                    await ws.close(step.code, step.reason)
                    return
                elif isinstance(step, Drop):
                    ws.transport.abort()
                    return
                elif isinstance(step, Call):
                    await step.fn(ws, record)
                elif isinstance(step, Reject):
                    raise ValueError("Reject must be the first step of a script")
            await reader  # hold the connection open until the client leaves
        except ConnectionClosed:
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await reader
            record.closed = True

    async def _read(self, ws: ServerConnection, record: ConnectionRecord) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                record.received.append(frame)
                record.new_frame.set()

    async def _expect(self, record: ConnectionRecord, step: Expect) -> None:
        deadline = asyncio.get_running_loop().time() + step.timeout
        while True:
            for frame in record.received[record.expected :]:
                record.expected += 1
                if _matches(step.match, frame):
                    return
            record.new_frame.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"client sent no frame matching {step.match!r} within {step.timeout} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(record.new_frame.wait(), remaining)
