"""TheRundown market stream: price updates decoded per second, ours vs a bare ``websockets`` + ``json.loads`` loop.

A loopback ``websockets`` server sends the same pre-encoded frames (the docs' ``market_price`` example with
varying ids, prices and times, plus a heartbeat every 1,000 frames) to each client:

* **bare** — ``websockets.connect`` + ``json.loads`` per frame, skip heartbeats, read ``data.price`` (the
  docs' own sample loop);
* **ours** — ``AsyncTheRundown.stream(catch_up=False)``: the reconnecting socket with idle watchdog,
  msgspec decoding straight into the generated ``MarketPrice`` model, de-duplication, heartbeat handling.

A second table isolates decoding on the same frames in one process (no socket): ``json.loads`` vs
:func:`specwire.therundown.streams.decode_frame`. Rounds are interleaved; medians are reported as ratios.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import websockets
from specwire.therundown import AsyncTheRundown
from specwire.therundown.streams import SeedBackoff, decode_frame
from websockets.asyncio.server import serve

FRAMES = 50_000
ROUNDS = 5


def _frames(n: int) -> list[str]:
    out = []
    for i in range(n):
        if i % 1000 == 999:
            out.append(json.dumps({"meta": {"type": "heartbeat"}, "data": {"now": "2026-03-02T23:44:59Z"}}))
            continue
        out.append(
            json.dumps(
                {
                    "meta": {"type": "market_price", "version": "v2", "timestamp": 1772495104 + i},
                    "data": {
                        "id": 193600383 + i,
                        "event_id": "9b9d0cf6007fdaeb15c3a1888dcfd5df",
                        "affiliate_id": 19 + i % 5,
                        "market_participant_id": 19402291,
                        "market_id": 3,
                        "line": "1.5",
                        "price": str(-100 - i % 300),
                        "previous_price": "-122.0000",
                        "price_delta": 5,
                        "is_main_line": True,
                        "normalized_market_participant_id": 10 + i % 7,
                        "normalized_market_participant_type": 3,
                        "sport_id": 7,
                        "updated_at": f"2026-03-02T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                    },
                },
                separators=(",", ":"),
            )
        )
    return out


def _prices(frames: list[str]) -> int:
    return sum(1 for f in frames if '"market_price"' in f)


async def _serve(frames: list[str]) -> tuple[object, str]:
    async def handler(ws: object) -> None:
        for frame in frames:
            await ws.send(frame)  # type: ignore[attr-defined]
        await ws.wait_closed()  # type: ignore[attr-defined]

    server = await serve(handler, "127.0.0.1", 0, compression=None, max_queue=None)
    port = next(iter(server.sockets)).getsockname()[1]
    return server, f"ws://127.0.0.1:{port}/api/v2/ws/markets"


async def _bare(url: str, expected: int) -> float:
    count = 0
    t0 = time.perf_counter()
    async with websockets.connect(url, compression=None, max_size=4 * 1024 * 1024) as ws:
        async for message in ws:
            msg = json.loads(message)
            if msg.get("meta", {}).get("type") == "heartbeat":
                continue
            _ = msg["data"]["price"]
            count += 1
            if count >= expected:
                break
    return time.perf_counter() - t0


async def _ours(url: str, expected: int) -> float:
    count = 0
    client = AsyncTheRundown("bench-key-0000", ws_url=url, requests_per_second=1000)
    t0 = time.perf_counter()
    async for _price in client.stream(catch_up=False, backoff=SeedBackoff(initial=0.01, maximum=0.05)):
        count += 1
        if count >= expected:
            break
    elapsed = time.perf_counter() - t0
    await client.aclose()
    return elapsed


async def _socket_rounds(frames: list[str]) -> dict[str, list[float]]:
    expected = _prices(frames)
    server, url = await _serve(frames)
    results: dict[str, list[float]] = {
        "bare websockets + json.loads": [],
        "specwire AsyncTheRundown.stream": [],
    }
    try:
        for _ in range(ROUNDS):
            results["bare websockets + json.loads"].append(expected / await _bare(url, expected))
            results["specwire AsyncTheRundown.stream"].append(expected / await _ours(url, expected))
    finally:
        server.close()  # type: ignore[attr-defined]
    return results


def _decode_rounds(frames: list[str]) -> dict[str, list[float]]:
    data = [f.encode() for f in frames]
    expected = _prices(frames)

    def bare() -> None:
        for f in data:
            msg = json.loads(f)
            if msg["meta"]["type"] != "heartbeat":
                _ = msg["data"]["price"]

    def ours() -> None:
        for f in data:
            decode_frame(f)

    results: dict[str, list[float]] = {"json.loads (dicts)": [], "decode_frame (MarketPrice structs)": []}
    for _ in range(ROUNDS):
        for name, fn in (("json.loads (dicts)", bare), ("decode_frame (MarketPrice structs)", ours)):
            t0 = time.perf_counter()
            fn()
            results[name].append(expected / (time.perf_counter() - t0))
    return results


def _report(title: str, results: dict[str, list[float]]) -> None:
    names = list(results)
    base = statistics.median(results[names[0]])
    print(f"{title}")
    print(f"  {'what':<40} {'updates/s':>12} {'ratio':>7}")
    for name in names:
        rate = statistics.median(results[name])
        print(f"  {name:<40} {rate:>12,.0f} {rate / base:>6.2f}x")


def main() -> None:
    frames = _frames(FRAMES)
    print(
        f"{_prices(frames):,} market_price frames (+ heartbeats) per round, {ROUNDS} interleaved rounds, medians"
    )
    _report("WebSocket over loopback (socket + decode + dispatch):", asyncio.run(_socket_rounds(frames)))
    _report("Decoding only (same frames, no socket):", _decode_rounds(frames))


if __name__ == "__main__":
    main()
