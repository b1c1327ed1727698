"""Sequence: REST per-call overhead vs bare httpx, and ``quotes_batch`` (2,000 symbols) parse time vs ``json.loads``.

1. A keep-alive HTTP/1.1 loopback server answers ``GET /v1/quotes/BTC-USD`` with the documented quote
   (reference sequence.md §9). ``Sequence.quote()`` (request built by the generated client, bearer auth,
   retry transport, logging hooks, typed-error check, ``Record`` result) is timed against bare
   ``httpx.Client.get(...).json()`` on the same URL; also with the typed model read (``.model``).
2. A ``quotes_batch`` answer for 2,000 symbols (NBBO, 2 venues, 10 book levels a side: ~2.6 MB) is parsed
   the way the facade does (JSON -> ``Record``; then the generated attrs model on ``.model``) and compared
   with ``json.loads`` of the same bytes; the whole round trip over loopback is timed too.

Each contender runs once per round, interleaved; medians are printed with ratios to the baseline.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import httpx
from specwire.sequence import Sequence, _ops
from specwire.sequence._results import decode_body as _decode_body

from bench._loopback import JSONServer

ROUNDS = 5
CALLS = 400
PARSES = 5
KEY = "seq_test_bench000000000000"

QUOTE = {
    "symbol": "BTC-USD",
    "source": "edge_nbbo",
    "nbbo": {"bid": 73984.12, "ask": 73985.03, "mid": 73984.57, "spread_bps": 1.23},
    "venues": {
        "binance": {"bid": 73984.12, "ask": 73985.03, "bid_size": 12.4, "ask_size": 8.1, "age_ms": 42},
        "coinbase": {"bid": 73983.87, "ask": 73985.28, "bid_size": 0.8, "ask_size": 1.2, "age_ms": 55},
    },
    "book": {
        "bids": [{"price": 73984.12 - i, "size": 1.0 + i, "venue": "binance"} for i in range(10)],
        "asks": [{"price": 73985.03 + i, "size": 1.0 + i, "venue": "coinbase"} for i in range(10)],
    },
}


def batch_body(n: int = 2000) -> bytes:
    quotes = []
    for i in range(n):
        if i % 100 == 99:
            quotes.append({"symbol": f"BAD-{i}", "error": "resolver: unknown symbol"})
        else:
            quotes.append({**QUOTE, "symbol": f"SYM-{i}"})
    return json.dumps({"quotes": quotes, "count": n, "elapsed_ms": 215}).encode()


def _timed(fn: Callable[[], object], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def _report(title: str, results: dict[str, list[float]], baseline: str, unit: str, scale: float) -> None:
    base = statistics.median(results[baseline])
    print(title)
    for name, values in results.items():
        value = statistics.median(values)
        print(f"  {name:<52} {value * scale:>9.1f} {unit}   {value / base:5.2f}x")


def rest_overhead(server: JSONServer) -> None:
    bare = httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {KEY}"})
    seq = Sequence(KEY, server.base, max_retries=0)
    results: dict[str, list[float]] = {
        "bare httpx  GET /v1/quotes/BTC-USD + .json()": [],
        "Sequence    quote('BTC-USD')  (dict view)": [],
        "Sequence    quote('BTC-USD').model  (typed)": [],
    }
    for _ in range(ROUNDS):
        results["bare httpx  GET /v1/quotes/BTC-USD + .json()"].append(
            _timed(lambda: bare.get("/v1/quotes/BTC-USD", params={"depth": 10}).json(), CALLS)
        )
        results["Sequence    quote('BTC-USD')  (dict view)"].append(
            _timed(lambda: seq.quote("BTC-USD"), CALLS)
        )
        results["Sequence    quote('BTC-USD').model  (typed)"].append(
            _timed(lambda: seq.quote("BTC-USD").model, CALLS)
        )
    bare.close()
    seq.close()
    _report(
        f"REST per-call overhead, {CALLS} calls x {ROUNDS} rounds (median)",
        results,
        "bare httpx  GET /v1/quotes/BTC-USD + .json()",
        "µs/call",
        1e6,
    )


def batch_parse(body: bytes) -> None:
    convert = _ops.quotes_batch(["X"]).result
    response = httpx.Response(200, content=body)

    def facade_dict() -> object:
        return convert(_decode_body(response))

    def facade_typed() -> object:
        return convert(_decode_body(response)).model

    results: dict[str, list[float]] = {
        "json.loads(body)": [],
        "facade: Record (dict view)": [],
        "facade: Record + typed .model (generated attrs)": [],
    }
    for _ in range(ROUNDS):
        results["json.loads(body)"].append(_timed(lambda: json.loads(body), PARSES))
        results["facade: Record (dict view)"].append(_timed(facade_dict, PARSES))
        results["facade: Record + typed .model (generated attrs)"].append(_timed(facade_typed, PARSES))
    _report(
        f"quotes_batch parse, 2,000 symbols ({len(body) / 1e6:.1f} MB), median of {ROUNDS} rounds",
        results,
        "json.loads(body)",
        "ms",
        1e3,
    )


def batch_round_trip(server: JSONServer) -> None:
    symbols = [f"SYM-{i}" for i in range(2000)]
    bare = httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {KEY}"})
    seq = Sequence(KEY, server.base, max_retries=0)
    payload = {"symbols": symbols, "depth": 10, "nowait": True, "concurrency": 64}
    results: dict[str, list[float]] = {
        "bare httpx  POST /v1/quotes_batch + .json()": [],
        "Sequence    quotes_batch(2,000)": [],
        "Sequence    quotes_batch(2,000).model": [],
    }
    for _ in range(ROUNDS):
        results["bare httpx  POST /v1/quotes_batch + .json()"].append(
            _timed(lambda: bare.post("/v1/quotes_batch", json=payload).json(), PARSES)
        )
        results["Sequence    quotes_batch(2,000)"].append(_timed(lambda: seq.quotes_batch(symbols), PARSES))
        results["Sequence    quotes_batch(2,000).model"].append(
            _timed(lambda: seq.quotes_batch(symbols).model, PARSES)
        )
    bare.close()
    seq.close()
    _report(
        "quotes_batch round trip over loopback",
        results,
        "bare httpx  POST /v1/quotes_batch + .json()",
        "ms",
        1e3,
    )


def main() -> None:
    body = batch_body()
    with JSONServer(
        {"/v1/quotes/BTC-USD": json.dumps(QUOTE).encode(), "/v1/quotes_batch": body}, name="bench-sequence"
    ) as server:
        rest_overhead(server)
        batch_parse(body)
        batch_round_trip(server)


if __name__ == "__main__":
    main()
