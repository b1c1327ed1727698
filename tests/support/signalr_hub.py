"""A SignalR hub on loopback, speaking the JSON hub protocol over ``websockets``.

It is the server side of every SignalR stream test and of the benchmark: the
real client under test opens a real socket to 127.0.0.1. Besides the happy
path (handshake, pings, invocations with completions, streams) it can
misbehave on demand: refuse a token (HTTP 401 on the upgrade), refuse the
handshake, drop the socket in the middle of a record, stall (stop sending and
answering, pings included), send Close messages, and play recorded frame
sequences from a *frame cassette* (``tests/cassettes/projectx/streams/*.jsonl``).

Frame cassette format: one JSON object per line, played in order.

=====================================  ==============================================================
``{"send": {...}}``                     one text frame holding one hub message
``{"frame": [{...}, {...}]}``           one text frame holding several records
``{"raw": "text"}``                     a text frame sent verbatim (partial or malformed records)
``{"binary": "text"}``                  the same as a binary frame
``{"expect": "Method"}``                wait until the current connection invoked ``Method``
``{"await_connection": n}``             wait until the n-th connection (1-based) finished its handshake
``{"close": {"error": ..., "allowReconnect": ...}}``  send a Close message
``{"drop": true}``                      abort the TCP connection (no close frame)
``{"pause": seconds}``                  sleep
``{"comment": "..."}``                  ignored
=====================================  ==============================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

RS = "\x1e"
#: The test server logs under this name (its request lines carry tokens; it is not the SDK).
SERVER_LOGGER = "tests.signalr_hub"

MethodHandler = Callable[["HubClient", list[Any]], Any]


class HubMethodError(Exception):
    """Raise from a method handler to answer with an error Completion."""


def record(message: Any) -> str:
    return json.dumps(message, separators=(",", ":")) + RS


def invocation(target: str, *arguments: Any) -> dict[str, Any]:
    return {"type": 1, "target": target, "arguments": list(arguments)}


class HubClient:
    """The server's view of one connected client."""

    def __init__(self, ws: ServerConnection, index: int, token: str | None) -> None:
        self.ws = ws
        self.index = index
        self.token = token
        self.invocations: list[tuple[str, list[Any], str | None]] = []
        self.pings_received = 0
        self.closed = asyncio.Event()
        self._invoked = asyncio.Condition()

    @property
    def targets(self) -> list[str]:
        return [target for target, _, _ in self.invocations]

    async def send_text(self, text: str) -> None:
        await self.ws.send(text)

    async def send_binary(self, data: bytes) -> None:
        await self.ws.send(data)

    async def send(self, *messages: Any) -> None:
        """One frame holding every message as its own record."""
        await self.ws.send("".join(record(m) for m in messages))

    async def invoke(self, target: str, *arguments: Any) -> None:
        await self.send(invocation(target, *arguments))

    async def close_message(self, error: str | None = None, allow_reconnect: bool | None = None) -> None:
        message: dict[str, Any] = {"type": 7}
        if error is not None:
            message["error"] = error
        if allow_reconnect is not None:
            message["allowReconnect"] = allow_reconnect
        await self.send(message)

    def drop(self) -> None:
        """Abort the TCP connection without a close frame."""
        self.ws.transport.abort()

    async def drop_mid_frame(self, partial: str = '{"type":1,"target":"GatewayQuote","argu') -> None:
        """Send the start of a record (no separator) and drop the socket."""
        await self.ws.send(partial)
        await asyncio.sleep(0)
        self.drop()

    async def wait_invoked(self, target: str, count: int = 1, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            async with self._invoked:
                await self._invoked.wait_for(lambda: self.targets.count(target) >= count)

    async def _note(self, target: str, args: list[Any], invocation_id: str | None) -> None:
        self.invocations.append((target, args, invocation_id))
        async with self._invoked:
            self._invoked.notify_all()


class LoopbackHub:
    """A SignalR hub on 127.0.0.1 at ``url`` (``http://127.0.0.1:<port><path>``).

    ``expired_tokens``: tokens refused with HTTP 401 on the upgrade.
    ``keepalive_interval``: server pings (None: the server never pings).
    ``methods``: hub methods by name; a handler gets (client, arguments) and
    returns the result, an iterable for stream invocations, or raises
    :class:`HubMethodError`. ``accept_unknown`` answers other methods with a
    null result instead of an error.
    """

    def __init__(
        self,
        path: str = "/hubs/market",
        *,
        expired_tokens: Iterable[str] = (),
        keepalive_interval: float | None = None,
        accept_unknown: bool = True,
        handshake_error: str | None = None,
        require_connection_id: bool = False,
    ) -> None:
        self.path = path
        self.expired_tokens = set(expired_tokens)
        self.keepalive_interval = keepalive_interval
        self.accept_unknown = accept_unknown
        self.handshake_error = handshake_error
        self.require_connection_id = require_connection_id
        self.issued_connection_ids: set[str] = set()
        self.methods: dict[str, MethodHandler] = {}
        self.clients: list[HubClient] = []
        self.tokens_seen: list[str | None] = []
        self.rejected_tokens: list[str | None] = []
        self.stalled = False
        self._server: Server | None = None
        self._changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ life cycle

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    async def start(self) -> LoopbackHub:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            compression=None,
            max_size=None,
            ping_interval=None,
            logger=logging.getLogger(SERVER_LOGGER),
        )
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await self._server.wait_closed()

    async def __aenter__(self) -> LoopbackHub:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ observing

    @property
    def current(self) -> HubClient:
        return self.clients[-1]

    @property
    def open_clients(self) -> list[HubClient]:
        return [c for c in self.clients if not c.closed.is_set()]

    async def wait_connections(self, count: int, timeout: float = 5.0) -> HubClient:
        """Wait until ``count`` connections completed the handshake; returns the latest."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.clients) >= count)
        return self.clients[count - 1]

    # ------------------------------------------------------------------ acting on every client

    async def broadcast(self, target: str, *arguments: Any) -> None:
        for client in self.open_clients:
            with contextlib.suppress(ConnectionClosed):
                await client.invoke(target, *arguments)

    async def close_all(self, error: str | None = None, allow_reconnect: bool | None = None) -> None:
        for client in self.open_clients:
            with contextlib.suppress(ConnectionClosed):
                await client.close_message(error, allow_reconnect)

    def drop_all(self) -> None:
        for client in self.open_clients:
            client.drop()

    async def play(self, source: str | Path | Iterable[dict[str, Any]]) -> None:
        """Play a frame cassette (a path to a .jsonl file, or the decoded lines)."""
        if isinstance(source, str | Path):
            lines = [json.loads(line) for line in Path(source).read_text().splitlines() if line.strip()]
        else:
            lines = list(source)
        for step in lines:
            if "comment" in step and len(step) == 1:
                continue
            if "await_connection" in step:
                await self.wait_connections(int(step["await_connection"]))
                continue
            if "pause" in step:
                await asyncio.sleep(float(step["pause"]))
                continue
            client = self.current
            try:
                if "send" in step:
                    await client.send(step["send"])
                elif "frame" in step:
                    await client.send(*step["frame"])
                elif "raw" in step:
                    await client.send_text(step["raw"])
                elif "binary" in step:
                    await client.send_binary(step["binary"].encode())
                elif "expect" in step:
                    await client.wait_invoked(step["expect"], int(step.get("count", 1)))
                elif "close" in step:
                    close = step["close"]
                    await client.close_message(close.get("error"), close.get("allowReconnect"))
                elif "drop" in step:
                    client.drop()
                    await client.closed.wait()
                else:
                    raise ValueError(f"unknown frame-cassette step {step!r}")
            except ConnectionClosed:
                if "drop" not in step:
                    raise

    # ------------------------------------------------------------------ server internals

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        if parts.path.rstrip("/") != self.path.rstrip("/"):
            return connection.respond(HTTPStatus.NOT_FOUND, "no such hub\n")
        query = parse_qs(parts.query)
        token = query.get("access_token", [None])[0]
        auth = request.headers.get("Authorization")
        if token is None and auth and auth.startswith("Bearer "):
            token = auth[len("Bearer ") :]
        if token in self.expired_tokens:
            self.rejected_tokens.append(token)
            return connection.respond(HTTPStatus.UNAUTHORIZED, "token expired\n")
        if self.require_connection_id:
            connection_id = query.get("id", [None])[0]
            if connection_id not in self.issued_connection_ids:
                return connection.respond(HTTPStatus.NOT_FOUND, "Connection not found\n")
            self.issued_connection_ids.discard(connection_id)
        self.tokens_seen.append(token)
        connection.token = token  # type: ignore[attr-defined]
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        token = getattr(ws, "token", None)
        buffer = ""
        try:
            while RS not in buffer:
                frame = await ws.recv()
                buffer += frame if isinstance(frame, str) else frame.decode()
        except ConnectionClosed:
            return
        handshake, _, buffer = buffer.partition(RS)
        request = json.loads(handshake)
        if self.handshake_error or request.get("protocol") != "json":
            await ws.send(record({"error": self.handshake_error or "Requested protocol is not available."}))
            await ws.close()
            return
        await ws.send("{}" + RS)
        client = HubClient(ws, len(self.clients) + 1, token)
        async with self._changed:
            self.clients.append(client)
            self._changed.notify_all()
        pinger = asyncio.create_task(self._pinger(client)) if self.keepalive_interval else None
        try:
            if buffer:
                await self._on_records(client, buffer)
            async for frame in ws:
                text = frame if isinstance(frame, str) else frame.decode()
                await self._on_records(client, text)
        except ConnectionClosed:
            pass
        finally:
            client.closed.set()
            if pinger is not None:
                pinger.cancel()

    async def _pinger(self, client: HubClient) -> None:
        assert self.keepalive_interval is not None
        while True:
            await asyncio.sleep(self.keepalive_interval)
            if not self.stalled:
                with contextlib.suppress(ConnectionClosed):
                    await client.send({"type": 6})

    async def _on_records(self, client: HubClient, text: str) -> None:
        for chunk in text.split(RS):
            if not chunk or self.stalled:
                continue
            message = json.loads(chunk)
            kind = message.get("type")
            if kind == 6:
                client.pings_received += 1
            elif kind in (1, 4):
                await self._on_invocation(client, message)
            elif kind == 7:
                await client.ws.close()

    async def _on_invocation(self, client: HubClient, message: dict[str, Any]) -> None:
        target = message["target"]
        args = message.get("arguments", [])
        invocation_id = message.get("invocationId")
        handler = self.methods.get(target)
        error: str | None = None
        result: Any = None
        if handler is None:
            if not self.accept_unknown:
                error = f"Unknown hub method '{target}'"
        else:
            try:
                result = handler(client, args)
                if asyncio.iscoroutine(result):
                    result = await result
            except HubMethodError as exc:
                error = str(exc)
        await client._note(target, args, invocation_id)
        if invocation_id is None:
            return
        if message["type"] == 4 and error is None:
            for item in result or ():
                await client.send({"type": 2, "invocationId": invocation_id, "item": item})
            await client.send({"type": 3, "invocationId": invocation_id})
            return
        completion: dict[str, Any] = {"type": 3, "invocationId": invocation_id}
        if error is not None:
            completion["error"] = error
        else:
            completion["result"] = result
        await client.send(completion)
