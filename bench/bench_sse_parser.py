"""SSE parsing: specwire's bytes-level decoder vs httpx-sse 0.4.3's decoder, on the same bytes.

The workload is a Restless-style stream (``id:``/``event:``/``data:`` blocks holding a
~400 B JSON update, a comment heartbeat every 50 events) cut into chunks the way a
socket delivers them. Each round runs every contender once on the same chunks
(interleaved, one process); the median of the rounds is reported as events/s and as
a ratio to the baseline, httpx-sse's own pipeline (``iter_text`` → ``SSELineDecoder``
→ ``SSEDecoder``, plus ``json.loads`` in the JSON group), so the figures mean the
same on any machine. A last group runs both whole clients (httpx-sse's
``connect_sse`` and ours) against one loopback server sending the same body.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable

import httpx
import httpx_sse
import msgspec
from httpx._decoders import TextDecoder
from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder
from httpx_sse._decoders import SSELineDecoder
from specwire.streaming.runner import BackgroundLoop
from specwire.streaming.sse import connect_sse
from specwire.streaming.sse_decoder import SSEDecoder

ROUNDS = 7
EVENTS = 20_000


class Meta(msgspec.Struct):
    timestamp: str
    attemptId: str | None = None
    status: int | None = None
    latencyMs: int | None = None


class Update(msgspec.Struct):
    type: str
    meta: Meta
    data: dict[str, object] | None = None
    signature: str | None = None
    eventId: str | None = None


def make_stream(n: int) -> bytes:
    parts = []
    for i in range(n):
        payload = {
            "type": "update",
            "meta": {
                "timestamp": "2026-06-07T00:49:36.562+00:00",
                "attemptId": "a59d80d4-7d36-4019-b2c6-40cc8b8742ce",
                "status": 200,
                "latencyMs": 43,
            },
            "data": {
                "args": {},
                "headers": {"Accept": "*/*", "Host": "httpbin.org"},
                "origin": "140.82.14.127",
                "url": "https://httpbin.org/get",
                "seq": i,
            },
            "signature": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "eventId": str(1780793376562 + i),
        }
        parts.append(
            b"id: %d\nevent: update\ndata: %s\n\n" % (1780793376562 + i, json.dumps(payload).encode())
        )
        if i % 50 == 49:
            parts.append(b": heartbeat\n\n")
    return b"".join(parts)


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def httpx_sse_parse(chunks: list[bytes]) -> int:
    text_decoder = TextDecoder()
    lines = SSELineDecoder()
    decoder = HttpxSSEDecoder()
    n = 0
    for chunk in chunks:
        for line in lines.decode(text_decoder.decode(chunk)):
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None and sse.data:
                n += 1
    return n


def httpx_sse_json(chunks: list[bytes]) -> int:
    text_decoder = TextDecoder()
    lines = SSELineDecoder()
    decoder = HttpxSSEDecoder()
    n = 0
    for chunk in chunks:
        for line in lines.decode(text_decoder.decode(chunk)):
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None and sse.data:
                json.loads(sse.data)
                n += 1
    return n


def specwire_parse(chunks: list[bytes]) -> int:
    decoder = SSEDecoder()
    n = 0
    for chunk in chunks:
        n += len(decoder.feed(chunk))
    return n


_decode_update = msgspec.json.Decoder(Update).decode


def specwire_struct(chunks: list[bytes]) -> int:
    decoder = SSEDecoder()
    decode = _decode_update
    n = 0
    for chunk in chunks:
        for ev in decoder.feed(chunk):
            decode(ev.data)
            n += 1
    return n


def specwire_msgspec_any(chunks: list[bytes]) -> int:
    decoder = SSEDecoder()
    decode = msgspec.json.decode
    n = 0
    for chunk in chunks:
        for ev in decoder.feed(chunk):
            decode(ev.data)
            n += 1
    return n


GROUPS: dict[str, dict[str, Callable[[list[bytes]], int]]] = {
    "parse only": {
        "httpx-sse 0.4.3 decoder (baseline)": httpx_sse_parse,
        "specwire SSEDecoder": specwire_parse,
    },
    "parse + JSON": {
        "httpx-sse + json.loads (baseline)": httpx_sse_json,
        "specwire SSEDecoder + msgspec (dict)": specwire_msgspec_any,
        "specwire SSEDecoder + msgspec Struct": specwire_struct,
    },
}


def measure(contenders: dict[str, Callable[[list[bytes]], int]], chunks: list[bytes]) -> dict[str, float]:
    """Median seconds per contender over interleaved rounds (each round runs all once)."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(ROUNDS):
        for name, fn in contenders.items():
            started = time.perf_counter()
            count = fn(chunks)
            times[name].append(time.perf_counter() - started)
            if count != EVENTS:
                raise AssertionError(f"{name} decoded {count} events, expected {EVENTS}")
    return {name: statistics.median(t) for name, t in times.items()}


class BodyServer:
    """Serves one fixed close-delimited SSE body per request on 127.0.0.1, from a background loop."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.bg = BackgroundLoop(name="bench-sse-server")
        self.server: asyncio.Server | None = None
        self.url = ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        for i in range(0, len(self.body), 16384):
            writer.write(self.body[i : i + 16384])
            await writer.drain()
        writer.close()

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/stream"

    async def _stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def __enter__(self) -> BodyServer:
        self.bg.run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.bg.run(self._stop())
        self.bg.stop()


def loopback_rows(stream: bytes) -> None:
    with BodyServer(stream) as srv, httpx.Client() as client:

        def httpx_sse_loop(_: list[bytes]) -> int:
            n = 0
            with httpx_sse.connect_sse(client, "GET", srv.url) as source:
                for sse in source.iter_sse():
                    if sse.data:
                        json.loads(sse.data)
                        n += 1
            return n

        def specwire_loop(_: list[bytes]) -> int:
            n = 0
            decode = _decode_update
            with connect_sse(client, srv.url, reconnect=False) as events:
                for ev in events:
                    decode(ev.data)
                    n += 1
            return n

        medians = measure(
            {
                "httpx-sse iter_sse + json.loads (baseline)": httpx_sse_loop,
                "specwire connect_sse + msgspec Struct": specwire_loop,
            },
            [],
        )
    base = next(iter(medians.values()))
    print("\nover loopback HTTP (sync httpx.Client, 16 KiB writes)")
    print(f"  {'contender':40} {'events/s':>12} {'ratio':>8}")
    for name, t in medians.items():
        print(f"  {name:40} {EVENTS / t:12,.0f} {base / t:7.2f}x")


def main() -> None:
    stream = make_stream(EVENTS)
    print(
        f"{EVENTS} Restless-style update events, {len(stream) / EVENTS:.0f} B each on the wire; "
        f"median of {ROUNDS} interleaved rounds; ratio = speed vs the group's baseline"
    )
    shapes = {
        "64 KiB chunks (bulk catch-up)": chunked(stream, 65536),
        "1 event per chunk (live)": [p + b"\n\n" for p in stream.split(b"\n\n")[:-1]],
    }
    for shape, chunks in shapes.items():
        print(f"\n{shape}")
        print(f"  {'contender':40} {'events/s':>12} {'ratio':>8}")
        for group, contenders in GROUPS.items():
            medians = measure(contenders, chunks)
            base = next(iter(medians.values()))
            print(f"  -- {group}")
            for name, t in medians.items():
                print(f"  {name:40} {EVENTS / t:12,.0f} {base / t:7.2f}x")
    loopback_rows(stream)


if __name__ == "__main__":
    main()
