"""Restless Stream: SSE events/s through ``specwire.restless`` vs bare httpx-sse + ``json.loads``.

One loopback server (raw asyncio on a background thread) streams the same
Restless ``update`` events (~400 B JSON, an ``id:`` line each, a comment
heartbeat every 50 events) to every contender; each round runs all contenders
once, interleaved, and the median of the rounds is reported as events/s and as a
ratio to the baseline (httpx-sse 0.4.3 ``iter_sse`` + ``json.loads``), so the
figures mean the same on any machine:

* sync: ``RestlessStreamClient.subscribe_sse`` (typed ``StreamEvent``s, cursor
  tracking, de-duplication) vs ``httpx_sse.connect_sse`` + ``json.loads``;
* async: ``AsyncRestlessStreamClient.subscribe_sse`` vs ``aconnect_sse`` + ``json.loads``;
* decode only: ``msgspec`` into the generated ``StreamEvent`` (and the whole
  per-event pipeline, :class:`~specwire.restless.streams.events.EventProcessor`) vs
  ``json.loads`` alone, on the same frames.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import msgspec
from httpx_sse import aconnect_sse, connect_sse
from specwire.restless import AsyncRestlessStreamClient, RestlessStreamClient, StreamEvent
from specwire.restless.streams.events import EventProcessor

from bench._loopback import LoopbackServer

ROUNDS = 5
EVENTS = 20_000
KEY = "rs_" + "0" * 64


def _frame(n: int) -> bytes:
    event = {
        "type": "update",
        "meta": {
            "timestamp": f"2026-01-01T00:{n // 60000 % 60:02d}:{n // 1000 % 60:02d}.{n % 1000:03d}+00:00",
            "attemptId": "a59d80d4-7d36-4019-b2c6-40cc8b8742ce",
            "status": 200,
            "latencyMs": 43,
            "payloadModeFallback": None,
        },
        "data": {
            "args": {},
            "headers": {"Accept": "*/*", "Host": "httpbin.org"},
            "origin": "140.82.14.127",
            "url": "https://httpbin.org/get",
            "seq": n,
        },
        "error": None,
        "signature": None,
        "eventId": str(1767225600000 + n),
    }
    return json.dumps(event, separators=(",", ":")).encode()


FRAMES = [_frame(n) for n in range(EVENTS)]


def _body() -> bytes:
    parts = []
    for n, frame in enumerate(FRAMES):
        if n % 50 == 0:
            parts.append(b": heartbeat\n\n")
        parts.append(b"id: %d\nevent: update\ndata: %s\n\n" % (1767225600000 + n, frame))
    return b"".join(parts)


BODY = _body()


class _SSEServer(LoopbackServer):
    """Serves BODY as a close-delimited text/event-stream to every connection."""

    def __init__(self) -> None:
        super().__init__("bench-restless-sse")

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        view = memoryview(BODY)
        for i in range(0, len(view), 65536):
            writer.write(view[i : i + 65536])
            await writer.drain()

    @property
    def url(self) -> str:
        return f"{self.base}/?streamId=bench"


def _timed(fn: Callable[[], int]) -> float:
    started = time.perf_counter()
    count = fn()
    elapsed = time.perf_counter() - started
    assert count == EVENTS, f"expected {EVENTS} events, got {count}"
    return count / elapsed


async def _atimed(fn: Callable[[], Awaitable[int]]) -> float:
    started = time.perf_counter()
    count = await fn()
    elapsed = time.perf_counter() - started
    assert count == EVENTS, f"expected {EVENTS} events, got {count}"
    return count / elapsed


# Clients are built once per contender, outside the timed part: the figures are stream
# throughput, not client construction (TLS context, pools).


def _bare_sync(client: httpx.Client, url: str) -> int:
    count = 0
    with connect_sse(client, "GET", url) as source:
        for sse in source.iter_sse():
            if sse.data:
                json.loads(sse.data)
                count += 1
    return count


def _specwire_sync(client: RestlessStreamClient, url: str) -> int:
    count = 0
    for event in client.subscribe_sse(url, reconnect=False):
        assert isinstance(event, StreamEvent)
        count += 1
    return count


async def _bare_async(client: httpx.AsyncClient, url: str) -> int:
    count = 0
    async with aconnect_sse(client, "GET", url) as source:
        async for sse in source.aiter_sse():
            if sse.data:
                json.loads(sse.data)
                count += 1
    return count


async def _specwire_async(client: AsyncRestlessStreamClient, url: str) -> int:
    count = 0
    async for event in client.subscribe_sse(url, reconnect=False):
        assert isinstance(event, StreamEvent)
        count += 1
    return count


SYNC_BASE = "httpx-sse iter_sse + json.loads (baseline)"
SYNC_OURS = "specwire.restless RestlessStreamClient.subscribe_sse"
ASYNC_BASE = "httpx-sse aiter_sse + json.loads (baseline)"
ASYNC_OURS = "specwire.restless AsyncRestlessStreamClient"


def _run_sync(url: str) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {SYNC_BASE: [], SYNC_OURS: []}
    with httpx.Client(timeout=30) as bare, RestlessStreamClient(KEY) as ours:
        _bare_sync(bare, url)  # warm-up
        _specwire_sync(ours, url)
        for _ in range(ROUNDS):
            results[SYNC_BASE].append(_timed(lambda: _bare_sync(bare, url)))
            results[SYNC_OURS].append(_timed(lambda: _specwire_sync(ours, url)))
    return results


async def _run_async(url: str) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {ASYNC_BASE: [], ASYNC_OURS: []}
    async with httpx.AsyncClient(timeout=30) as bare, AsyncRestlessStreamClient(KEY) as ours:
        await _bare_async(bare, url)
        await _specwire_async(ours, url)
        for _ in range(ROUNDS):
            results[ASYNC_BASE].append(await _atimed(lambda: _bare_async(bare, url)))
            results[ASYNC_OURS].append(await _atimed(lambda: _specwire_async(ours, url)))
    return results


def _decode_json() -> int:
    for frame in FRAMES:
        json.loads(frame)
    return len(FRAMES)


_TYPED = msgspec.json.Decoder(StreamEvent)


def _decode_typed() -> int:
    for frame in FRAMES:
        _TYPED.decode(frame)
    return len(FRAMES)


def _decode_pipeline() -> int:
    proc = EventProcessor()
    for frame in FRAMES:
        proc.process(frame)
    return len(FRAMES)


def _report(title: str, results: dict[str, list[float]], baseline: str) -> None:
    base = statistics.median(results[baseline])
    print(f"{title}")
    for name, rates in results.items():
        rate = statistics.median(rates)
        print(f"  {name:<52} {rate:>12,.0f} events/s   {rate / base:5.2f}x")


def main() -> None:
    print(f"{EVENTS} events of {len(FRAMES[0])} B JSON per run, median of {ROUNDS} interleaved rounds")
    with _SSEServer() as server:
        sync = _run_sync(server.url)
        asyn = asyncio.run(_run_async(server.url))
    _report("SSE, sync (loopback):", sync, SYNC_BASE)
    _report("SSE, async (loopback):", asyn, ASYNC_BASE)

    decode: dict[str, list[float]] = {
        "json.loads (baseline)": [],
        "msgspec -> generated StreamEvent": [],
        "EventProcessor (decode + cursor + de-dup)": [],
    }
    for _ in range(ROUNDS):
        decode["json.loads (baseline)"].append(_timed(_decode_json))
        decode["msgspec -> generated StreamEvent"].append(_timed(_decode_typed))
        decode["EventProcessor (decode + cursor + de-dup)"].append(_timed(_decode_pipeline))
    _report("Decode only (same frames, in memory):", decode, "json.loads (baseline)")


if __name__ == "__main__":
    main()
