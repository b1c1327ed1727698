"""A small in-process ProjectX Gateway for the history, bot and CLI tests (and the history bench).

It answers the endpoints those features use with the documented shapes
(reference projectx.md §3): login/validate, account and contract search,
``History/retrieveBars`` (newest first, ``limit`` capped at 20,000, expired
months keep only hourly and coarser bars), order placement and open
positions. Bars are generated deterministically from the CME session
calendar, so a test knows exactly which bars exist; ``holes`` removes some
(quiet minutes). Served either through ``httpx.MockTransport`` or on a real
loopback socket (``serve()``) for subprocess tests.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import numpy as np
from specwire.history.schema import from_us, to_us
from specwire.projectx.history import CME_GLOBEX

UNIT_SECONDS = {1: 1, 2: 60, 3: 3600, 4: 86400}


def make_jwt(exp: datetime) -> str:
    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64({'exp': int(exp.timestamp())})}.c2ln"


def price_at(us: int) -> float:
    """Deterministic price path (so a refetched bar has the same values)."""
    minutes = us // 60_000_000
    return 20000.0 + (minutes % 997) * 0.25 - (minutes % 89) * 0.5


class FakeGateway:
    """State and request handling of the fake Gateway."""

    def __init__(
        self,
        contracts: dict[str, dict[str, Any]] | None = None,
        *,
        active: set[str] | None = None,
        holes: set[int] | None = None,
        now: datetime | None = None,
        max_limit: int = 20_000,
        bars_rate: tuple[int, float] | None = None,
        clock: Any = None,
    ) -> None:
        # contract id -> {"from": datetime, "to": datetime} (bars exist only inside), name etc.
        self.contracts = contracts or {}
        self.active = active if active is not None else set(self.contracts)
        self.holes = holes or set()
        self.now = now or datetime.now(UTC)
        self.max_limit = max_limit
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.orders: list[dict[str, Any]] = []
        self.token = make_jwt(datetime.now(UTC) + timedelta(hours=24))
        self.lock = threading.Lock()
        # Server-side retrieveBars limit (requests, seconds) on ``clock``; excess gets HTTP 429.
        self.bars_rate = bars_rate
        self.clock = clock
        self.bar_request_times: list[float] = []
        self.rejected = 0

    # -- bars -----------------------------------------------------------------------------------
    def bars_for(
        self, contract_id: str, start: datetime, end: datetime, unit: int, unit_number: int
    ) -> np.ndarray:
        """Bar start times (µs) that exist for a contract in ``[start, end]`` at this size."""
        spec = self.contracts[contract_id]
        step = UNIT_SECONDS[unit] * unit_number
        if step < 3600 and contract_id not in self.active:
            return np.empty(0, dtype=np.int64)  # expired months keep hourly and coarser bars only
        lo, hi = max(start, spec["from"]), min(end + timedelta(microseconds=1), spec["to"], self.now)
        if hi <= lo:
            return np.empty(0, dtype=np.int64)
        starts = CME_GLOBEX.expected_bar_starts(lo, hi + timedelta(seconds=step), step)
        starts = starts[(starts >= to_us(lo)) & (starts <= to_us(hi))]
        # A bar is published once complete.
        starts = starts[starts + step * 1_000_000 <= to_us(self.now)]
        if self.holes:
            starts = starts[~np.isin(starts, np.fromiter(self.holes, dtype=np.int64))]
        return starts

    def retrieve_bars(self, body: dict[str, Any]) -> dict[str, Any]:
        cid = body["contractId"]
        if cid not in self.contracts:
            return {"bars": None, "success": False, "errorCode": 1, "errorMessage": "Contract not found"}
        limit = int(body["limit"])
        if limit < 1 or limit > self.max_limit:
            return {"bars": None, "success": False, "errorCode": 4, "errorMessage": "Invalid limit"}
        start = datetime.fromisoformat(body["startTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(body["endTime"].replace("Z", "+00:00"))
        starts = self.bars_for(cid, start, end, int(body["unit"]), int(body["unitNumber"]))[::-1][:limit]
        bars = []
        for us in starts.tolist():
            p = price_at(us)
            bars.append(
                {
                    "t": from_us(us).isoformat(),
                    "o": p,
                    "h": p + 1.0,
                    "l": p - 1.0,
                    "c": p + 0.25,
                    "v": int(us // 60_000_000 % 50) + 1,
                }
            )
        return {"bars": bars, "success": True, "errorCode": 0, "errorMessage": None}

    # -- dispatch -------------------------------------------------------------------------------
    def handle(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            self.requests.append((path, body))
        ok = {"success": True, "errorCode": 0, "errorMessage": None}
        if path == "/api/Auth/loginKey":
            if body.get("apiKey") != "test-key":
                return 200, {"token": None, "success": False, "errorCode": 3, "errorMessage": None}
            return 200, {"token": self.token, **ok}
        if path == "/api/Auth/validate":
            return 200, {"newToken": self.token, **ok}
        if path == "/api/Account/search":
            return 200, {
                "accounts": [
                    {
                        "id": 704,
                        "name": "PRAC-V2-1",
                        "balance": 50000.0,
                        "canTrade": True,
                        "isVisible": True,
                        "simulated": True,
                    }
                ],
                **ok,
            }
        if path == "/api/Contract/search":
            text = body.get("searchText", "").upper()
            found = [self.contract_model(cid) for cid in sorted(self.active) if text in cid]
            return 200, {"contracts": found, **ok}
        if path == "/api/Contract/searchById":
            cid = body.get("contractId")
            if cid not in self.contracts:
                return 200, {"contract": None, "success": False, "errorCode": 1, "errorMessage": None}
            return 200, {"contract": self.contract_model(cid), **ok}
        if path == "/api/History/retrieveBars":
            if self.bars_rate is not None:
                limit, period = self.bars_rate
                t = self.clock()
                with self.lock:
                    recent = [x for x in self.bar_request_times if x > t - period]
                    if len(recent) >= limit:
                        self.rejected += 1
                        return 429, {"title": "Too Many Requests", "status": 429}
                    self.bar_request_times.append(t)
            return 200, self.retrieve_bars(body)
        if path == "/api/Order/place":
            with self.lock:
                self.orders.append(body)
                order_id = 9000 + len(self.orders)
            return 200, {"orderId": order_id, **ok}
        if path == "/api/Position/searchOpen":
            return 200, {"positions": [], **ok}
        if path == "/api/Order/searchOpen":
            return 200, {"orders": [], **ok}
        return 404, {"title": "Not Found", "status": 404}

    def contract_model(self, cid: str) -> dict[str, Any]:
        root = cid.split(".")[3]
        return {
            "id": cid,
            "name": root + cid.rsplit(".", 1)[1],
            "description": f"{root} future {cid.rsplit('.', 1)[1]}",
            "tickSize": 0.25,
            "tickValue": 5.0,
            "activeContract": cid in self.active,
            "symbolId": "F.US." + root,
        }

    def retrieve_calls(self) -> list[dict[str, Any]]:
        return [b for p, b in self.requests if p == "/api/History/retrieveBars"]

    # -- transports -----------------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content) if request.content else {}
            status, payload = self.handle(request.method, request.url.path, body)
            return httpx.Response(status, json=payload)

        return httpx.MockTransport(handler)

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1 on a free port; yields the base URL."""
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                status, payload = gateway.handle(self.command, self.path.split("?")[0], body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _reply
            do_GET = _reply

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(5)
