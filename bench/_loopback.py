"""The loopback HTTP servers the benchmarks measure against, on a background event loop.

Every contender of a benchmark talks to the same server in the same process, so the
ratios compare clients, not servers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from specwire.streaming.runner import BackgroundLoop


class LoopbackServer:
    """An asyncio TCP server on 127.0.0.1 (port chosen by the OS); subclasses answer in ``handle``."""

    def __init__(self, name: str) -> None:
        self.loop = BackgroundLoop(name=name)
        self.port = 0
        self._server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self.handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def __enter__(self) -> LoopbackServer:
        self.loop.run(self._start(), timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.run(self._stop(), timeout=10)
        self.loop.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class JSONServer(LoopbackServer):
    """Keep-alive HTTP/1.1: each known path (query ignored) answers its fixed JSON body, others ``{}``."""

    def __init__(self, bodies: Mapping[str, bytes], name: str = "bench-json") -> None:
        super().__init__(name)
        self.bodies = dict(bodies)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1].split("?")[0]
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if length:
                await reader.readexactly(length)
            body = self.bodies.get(path, b"{}")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(body), body)
            )
            await writer.drain()
