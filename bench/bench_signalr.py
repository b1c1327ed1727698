"""SignalR market-hub throughput: ``GatewayQuote`` events per second, decoded and delivered.

One loopback hub (a separate process, so it does not share the client's CPU
time slice) streams ``SPECWIRE_BENCH_MESSAGES`` quote invocations (default one
million), ``PER_FRAME`` records per WebSocket frame, to each client in turn:

* **specwire** — :class:`specwire.projectx.streams.MarketStream`: records split,
  envelopes and quotes decoded into the generated msgspec models, typed
  :class:`QuoteEvent` objects delivered through ``async for``;
* **bare websockets + json.loads** — the floor to approach: split on 0x1E,
  ``json.loads`` every record, count the quotes;
* **pysignalr 1.3.3** and **signalrcore 1.0.2** — what users pick today
  (``pip install specwire[bench]``; a missing one is reported and skipped).

Each client runs in a fresh process; memory is reported as the process's peak RSS
(``ru_maxrss``: imports plus the run) and how much the run itself added to the peak.
Throughput figures are ratios to the bare loop, so they read the same on any machine.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

N = int(os.environ.get("SPECWIRE_BENCH_MESSAGES", "1000000"))
PER_FRAME = 10
CONTRACT = "CON.F.US.EP.U25"
RS = "\x1e"
QUOTE = {
    "symbol": "F.US.EP",
    "symbolName": "/ES",
    "lastPrice": 2100.25,
    "bestBid": 2100.0,
    "bestAsk": 2100.5,
    "change": 25.5,
    "changePercent": 0.14,
    "open": 2090.0,
    "high": 2110.0,
    "low": 2080.0,
    "volume": 12000,
    "lastUpdated": "2024-07-21T13:45:00Z",
    "timestamp": "2024-07-21T13:45:00Z",
}


# ---------------------------------------------------------------------------------- the hub


def _hub_process(port_queue: Any, n: int, per_frame: int) -> None:
    asyncio.run(_hub(port_queue, n, per_frame))


async def _hub(port_queue: Any, n: int, per_frame: int) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    record = json.dumps({"type": 1, "target": "GatewayQuote", "arguments": [CONTRACT, QUOTE]}) + RS
    frame = record * per_frame

    async def handle(ws: ServerConnection) -> None:
        buffer = ""
        while RS not in buffer:
            buffer += _text(await ws.recv())
        await ws.send("{}" + RS)
        buffer = buffer.split(RS, 1)[1]
        while "SubscribeContractQuotes" not in buffer:
            buffer += _text(await ws.recv())
        message = json.loads(
            buffer[buffer.index("{") : buffer.index(RS, buffer.index("SubscribeContractQuotes"))]
        )
        if message.get("invocationId") is not None:
            await ws.send(
                json.dumps({"type": 3, "invocationId": message["invocationId"], "result": None}) + RS
            )
        full, rest = divmod(n, per_frame)
        for _ in range(full):
            await ws.send(frame)
        if rest:
            await ws.send(record * rest)
        # Keep talking (pings) so clients whose stop() waits for a frame can leave.
        try:
            while True:
                await asyncio.sleep(0.2)
                await ws.send('{"type":6}' + RS)
        except Exception:
            return

    async with serve(handle, "127.0.0.1", 0, max_size=None, compression=None, ping_interval=None) as server:
        port_queue.put(server.sockets[0].getsockname()[1])
        await asyncio.Future()


def _text(frame: str | bytes) -> str:
    return frame if isinstance(frame, str) else frame.decode()


# ---------------------------------------------------------------------------------- clients


async def _run_specwire(url: str, n: int) -> float:
    from specwire.projectx.streams import MarketStream

    stream = MarketStream(url, token="bench-token", keepalive_interval=15, server_timeout=60)
    await stream.start()
    started = time.perf_counter()
    await stream.subscribe_quotes(CONTRACT)
    count = 0
    last = None
    async for event in stream:
        last = event
        count += 1
        if count == n:
            break
    elapsed = time.perf_counter() - started
    assert last is not None and last.quote.best_bid == 2100.0
    await stream.stop()
    return elapsed


async def _run_bare(url: str, n: int) -> float:
    from websockets.asyncio.client import connect

    async with connect(url.replace("http", "ws", 1), max_size=None, compression=None) as ws:
        await ws.send('{"protocol":"json","version":1}' + RS)
        await ws.recv()
        started = time.perf_counter()
        await ws.send(
            json.dumps({"type": 1, "target": "SubscribeContractQuotes", "arguments": [CONTRACT]}) + RS
        )
        count = 0
        pending = ""
        loads = json.loads
        while count < n:
            parts = (pending + _text(await ws.recv())).split(RS)
            pending = parts.pop()
            for part in parts:
                if part:
                    message = loads(part)
                    if message.get("type") == 1 and message["target"] == "GatewayQuote":
                        count += 1
        return time.perf_counter() - started


async def _run_pysignalr(url: str, n: int) -> float:
    from pysignalr.client import SignalRClient

    client = SignalRClient(url.replace("http", "ws", 1), ping_interval=60, max_size=None)
    client._transport._skip_negotiation = True  # not exposed on SignalRClient (tooling.md §5)
    done = asyncio.Event()
    count = 0
    started = 0.0

    async def on_quote(args: list[Any]) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set()

    async def on_open() -> None:
        nonlocal started
        started = time.perf_counter()
        await client.send("SubscribeContractQuotes", [CONTRACT])  # type: ignore[list-item]

    client.on("GatewayQuote", on_quote)
    client.on_open(on_open)
    task = asyncio.create_task(client.run())
    await done.wait()
    elapsed = time.perf_counter() - started
    task.cancel()
    try:
        await task
    except BaseException:
        pass
    return elapsed


def _run_signalrcore(url: str, n: int) -> float:
    import logging

    from signalrcore.hub_connection_builder import HubConnectionBuilder

    hub = (
        HubConnectionBuilder()
        .with_url(url.replace("http", "ws", 1), options={"skip_negotiation": True})
        .configure_logging(logging.CRITICAL)
        .build()
    )
    done = threading.Event()
    count = 0
    started = 0.0

    def on_quote(args: list[Any]) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set()

    def on_open() -> None:
        nonlocal started
        started = time.perf_counter()
        hub.send("SubscribeContractQuotes", [CONTRACT])

    hub.on("GatewayQuote", on_quote)
    hub.on_open(on_open)
    hub.start()
    if not done.wait(timeout=max(120.0, n / 5000)):
        raise TimeoutError(f"signalrcore delivered {count} of {n} quotes")
    elapsed = time.perf_counter() - started
    threading.Thread(target=hub.stop, daemon=True).start()  # its stop() can block on a read
    return elapsed


def _rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _client_process(name: str, url: str, n: int, results: Any) -> None:
    try:
        runner: Callable[[], float]
        if name == "specwire":
            import specwire.projectx.streams  # noqa: F401 - imports before the baseline

            runner = lambda: asyncio.run(_run_specwire(url, n))  # noqa: E731
        elif name == "bare websockets + json.loads":
            import websockets.asyncio.client  # noqa: F401

            runner = lambda: asyncio.run(_run_bare(url, n))  # noqa: E731
        elif name == "pysignalr 1.3.3":
            import pysignalr.client  # noqa: F401

            runner = lambda: asyncio.run(_run_pysignalr(url, n))  # noqa: E731
        else:
            import signalrcore.hub_connection_builder  # noqa: F401

            runner = lambda: _run_signalrcore(url, n)  # noqa: E731
        baseline_peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, _rss_kib())
        elapsed = runner()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results.put((name, elapsed, (peak, max(0, peak - baseline_peak)), None))
    except ImportError as exc:
        results.put((name, None, None, f"not installed ({exc.name}); pip install 'specwire[bench]'"))
    except BaseException as exc:
        results.put((name, None, None, f"{type(exc).__name__}: {exc}"))
    results.close()
    results.join_thread()  # flush the result before the hard exit below
    os._exit(0)  # signalrcore leaves non-daemon threads behind


def main() -> None:
    ctx = mp.get_context("spawn")
    port_queue = ctx.Queue()
    hub = ctx.Process(target=_hub_process, args=(port_queue, N, PER_FRAME), daemon=True)
    hub.start()
    url = f"http://127.0.0.1:{port_queue.get(timeout=30)}/hubs/market"
    print(f"{N:,} GatewayQuote messages, {PER_FRAME} per frame, loopback hub in its own process")
    rows: list[tuple[str, float | None, tuple[int, int] | None, str | None]] = []
    try:
        for name in ("bare websockets + json.loads", "specwire", "pysignalr 1.3.3", "signalrcore 1.0.2"):
            results = ctx.Queue()
            client = ctx.Process(target=_client_process, args=(name, url, N, results))
            client.start()
            try:
                rows.append(results.get(timeout=max(300.0, N / 2000)))
            except Exception as exc:
                rows.append((name, None, None, f"no result: {exc!r}"))
            client.join(10)
            if client.is_alive():
                client.kill()
    finally:
        hub.kill()
    floor = next((elapsed for name, elapsed, _, _ in rows if name.startswith("bare") and elapsed), None)
    print(f"{'client':34} {'events/s':>12} {'vs bare':>8} {'peak RSS':>12} {'growth in run':>14}")
    for name, elapsed, memory, problem in rows:
        if elapsed is None or memory is None:
            print(f"{name:34} {'-':>12} {'-':>8} {'-':>12} {'-':>14}  ({problem})")
            continue
        rate = N / elapsed
        ratio = f"{floor / elapsed:.2f}x" if floor else "-"
        peak_kib, growth_kib = memory
        print(
            f"{name:34} {rate:>12,.0f} {ratio:>8} {peak_kib / 1024:>8.1f} MiB {growth_kib / 1024:>10.1f} MiB"
        )


if __name__ == "__main__":
    main()
