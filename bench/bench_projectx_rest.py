"""ProjectX REST: per-call overhead of ``ProjectX`` vs bare httpx against the same loopback server.

One keep-alive HTTP/1.1 server (raw asyncio on a background thread) answers the
Gateway routes with the documented JSON (reference projectx.md §3). Each round
runs every contender once, interleaved; the median of the rounds is reported as
µs per call and as a ratio to bare httpx posting the same JSON to the same URL
(``client.post(...)`` + ``response.json()``), so the figures mean the same on
any machine. What the facade adds per call: bearer auth flow, rate limiter
(rules set high so nothing waits; the bookkeeping still runs), retry transport,
logging hooks, typed envelope check, generated attrs models both ways.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
from specwire.core.ratelimit import RateLimit
from specwire.projectx import AsyncProjectX, ProjectX

from bench._loopback import JSONServer

ROUNDS = 5
CALLS = 500
TOKEN = "bench-token-0000"
OK = {"success": True, "errorCode": 0, "errorMessage": None}
ACCOUNTS = {
    "accounts": [
        {
            "id": 1,
            "name": "TEST_ACCOUNT_1",
            "balance": 50000,
            "canTrade": True,
            "isVisible": True,
            "simulated": True,
        }
    ],
    **OK,
}
ORDERS = {
    "orders": [
        {
            "id": 36598 + i,
            "accountId": 704,
            "contractId": "CON.F.US.EP.U25",
            "symbolId": "F.US.EP",
            "creationTimestamp": "2025-07-18T21:00:01.268009+00:00",
            "updateTimestamp": "2025-07-18T21:00:01.268009+00:00",
            "status": 2,
            "type": 2,
            "side": 0,
            "size": 1,
            "limitPrice": None,
            "stopPrice": None,
            "fillVolume": 1,
            "filledPrice": 6335.25,
            "customTag": None,
        }
        for i in range(20)
    ],
    **OK,
}
BODIES = {
    "/api/Auth/loginKey": json.dumps({"token": TOKEN, **OK}).encode(),
    "/api/Account/search": json.dumps(ACCOUNTS).encode(),
    "/api/Order/searchOpen": json.dumps(ORDERS).encode(),
}


NO_WAIT = [RateLimit(10**9, 1.0)]


def _per_call(fn: Callable[[], None]) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        fn()
    return (time.perf_counter() - started) / CALLS * 1e6


async def _aper_call(fn: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        await fn()
    return (time.perf_counter() - started) / CALLS * 1e6


def _report(title: str, results: dict[str, list[float]], baseline: str) -> None:
    base = statistics.median(results[baseline])
    print(title)
    for name, values in results.items():
        us = statistics.median(values)
        print(f"  {name:<48} {us:>9.1f} µs/call   {us / base:5.2f}x")


def main() -> None:
    print(f"{CALLS} calls per contender per round, median of {ROUNDS} interleaved rounds (lower is better)")
    with JSONServer(BODIES, name="bench-projectx-rest") as server:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        bare = httpx.Client(base_url=server.base, headers=headers)
        px = ProjectX(api_key="bench-key-0000", username="bench", api_url=server.base, rate_limits=NO_WAIT)
        px.authenticate()

        def bare_accounts() -> None:
            bare.post("/api/Account/search", json={"onlyActiveAccounts": True}).json()

        def bare_orders() -> None:
            bare.post("/api/Order/searchOpen", json={"accountId": 704}).json()

        sync: dict[str, list[float]] = {
            "bare httpx  Account/search (1 account)": [],
            "ProjectX    accounts.search()": [],
            "bare httpx  Order/searchOpen (20 orders)": [],
            "ProjectX    orders.search_open()": [],
        }
        for _ in range(ROUNDS):
            sync["bare httpx  Account/search (1 account)"].append(_per_call(bare_accounts))
            sync["ProjectX    accounts.search()"].append(_per_call(lambda: px.accounts.search()))
            sync["bare httpx  Order/searchOpen (20 orders)"].append(_per_call(bare_orders))
            sync["ProjectX    orders.search_open()"].append(_per_call(lambda: px.orders.search_open(704)))
        bare.close()
        px.close()
        _report(
            "sync, Account/search",
            {k: v for k, v in sync.items() if "ccount" in k},
            "bare httpx  Account/search (1 account)",
        )
        _report(
            "sync, Order/searchOpen",
            {k: v for k, v in sync.items() if "pen" in k},
            "bare httpx  Order/searchOpen (20 orders)",
        )

        async def run_async() -> dict[str, list[float]]:
            results: dict[str, list[float]] = {
                "bare httpx.AsyncClient  Account/search": [],
                "AsyncProjectX accounts.search()": [],
            }
            async with (
                httpx.AsyncClient(base_url=server.base, headers=headers) as abare,
                AsyncProjectX(
                    api_key="bench-key-0000", username="bench", api_url=server.base, rate_limits=NO_WAIT
                ) as apx,
            ):
                await apx.authenticate()

                async def bare_call() -> None:
                    (await abare.post("/api/Account/search", json={"onlyActiveAccounts": True})).json()

                for _ in range(ROUNDS):
                    results["bare httpx.AsyncClient  Account/search"].append(await _aper_call(bare_call))
                    results["AsyncProjectX accounts.search()"].append(await _aper_call(apx.accounts.search))
            return results

        _report("async, Account/search", asyncio.run(run_async()), "bare httpx.AsyncClient  Account/search")


if __name__ == "__main__":
    main()
