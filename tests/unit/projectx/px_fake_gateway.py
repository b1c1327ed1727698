"""A stateful in-process ProjectX Gateway for the REST facade tests.

It follows the documented wire shapes (reference projectx.md §3): every
endpoint but ``Status/ping`` is a JSON POST with a bearer token, business
failures are HTTP 200 + ``success: false`` with the endpoint's own
``errorCode``. Tokens are real-looking JWTs with an ``exp`` claim, so the
session's expiry logic runs as it would against the Gateway. Hooks let a test
expire tokens, fail ``validate``, script responses, and count calls.

Use ``gateway.transport()`` (an ``httpx.MockTransport``) for sync and async
clients alike; :class:`LossyTransport` forwards a request and then loses the
response, which is how the ambiguous-order tests inject faults.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

USERNAME = "trader1"
API_KEY = "px-test-key-5b0c1e9a77"


def make_jwt(exp: datetime, serial: int = 0) -> str:
    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64({'exp': int(exp.timestamp()), 'n': serial})}.c2lnbmF0dXJl"


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat()


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


OK: dict[str, Any] = {"success": True, "errorCode": 0, "errorMessage": None}

CONTRACTS = {
    "CON.F.US.ENQ.H25": {
        "id": "CON.F.US.ENQ.H25",
        "name": "ENQH25",
        "description": "E-mini NASDAQ-100: March 2025",
        "tickSize": 0.25,
        "tickValue": 5,
        "activeContract": True,
        "symbolId": "F.US.ENQ",
    },
    "CON.F.US.EP.U25": {
        "id": "CON.F.US.EP.U25",
        "name": "ESU5",
        "description": "E-Mini S&P 500: September 2025",
        "tickSize": 0.25,
        "tickValue": 12.5,
        "activeContract": True,
        "symbolId": "F.US.EP",
    },
}


class FakeGateway:
    """Gateway state plus the request handler."""

    def __init__(self, *, token_lifetime: timedelta = timedelta(hours=24), bar_count: int = 0) -> None:
        self.lock = threading.Lock()
        self.token_lifetime = token_lifetime
        self.tokens: dict[str, datetime] = {}
        self.serial = itertools.count(1)
        self.calls: Counter[str] = Counter()
        self.requests: list[httpx.Request] = []
        self.validate_fails = False
        self.accounts = [
            {
                "id": 465,
                "name": "TEST_ACCOUNT_1",
                "balance": 50000.0,
                "canTrade": True,
                "isVisible": True,
                "simulated": True,
            }
        ]
        self.orders: dict[int, dict[str, Any]] = {}
        self.order_ids = itertools.count(9056)
        self.positions = [
            {
                "id": 6124,
                "accountId": 465,
                "contractId": "CON.F.US.EP.U25",
                "creationTimestamp": "2025-04-21T19:52:32.175721+00:00",
                "type": 1,
                "size": 2,
                "averagePrice": 1575.75,
            }
        ]
        self.trades = [
            {
                "id": 8604,
                "accountId": 465,
                "contractId": "CON.F.US.EP.H25",
                "creationTimestamp": "2025-01-21T16:13:52.523293+00:00",
                "price": 6065.25,
                "profitAndLoss": 50.0,
                "fees": 1.4,
                "side": 1,
                "size": 1,
                "voided": False,
                "orderId": 14328,
            }
        ]
        # Minute bars ending at bars_end (exclusive), oldest at bars_end - bar_count minutes.
        self.bars_end = datetime(2025, 3, 10, tzinfo=UTC)
        self.bar_count = bar_count
        # path -> list of scripted replies (callables returning an httpx.Response) used before normal handling.
        self.scripted: dict[str, list[Callable[[httpx.Request], httpx.Response]]] = {}

    # -- plumbing -------------------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def issue_token(self, lifetime: timedelta | None = None) -> str:
        exp = datetime.now(UTC) + (lifetime if lifetime is not None else self.token_lifetime)
        token = make_jwt(exp, next(self.serial))
        self.tokens[token] = exp
        return token

    def expire_all(self) -> None:
        """Make every issued token invalid (as if it had expired server-side)."""
        with self.lock:
            self.tokens = {t: datetime(2000, 1, 1, tzinfo=UTC) for t in self.tokens}

    def script(self, path: str, reply: Callable[[httpx.Request], httpx.Response]) -> None:
        self.scripted.setdefault(path, []).append(reply)

    def _valid(self, request: httpx.Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None
        token = header[len("Bearer ") :]
        exp = self.tokens.get(token)
        return token if exp is not None and exp > datetime.now(UTC) else None

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        with self.lock:
            self.calls[path] += 1
            self.requests.append(request)
            scripted = self.scripted.get(path)
            reply = scripted.pop(0) if scripted else None
        if reply is not None:
            return reply(request)
        if path == "/api/Status/ping":
            return httpx.Response(200, text="pong")
        body = json.loads(request.content) if request.content else {}
        name = path[len("/api/") :]
        if name in ("Auth/loginKey", "Auth/loginApp"):
            return self._login(name, body)
        token = self._valid(request)
        if name == "Auth/validate":
            return self._validate(request)
        if token is None:
            return httpx.Response(401)
        handler = getattr(self, "_" + name.replace("/", "_"), None)
        if handler is None:
            return httpx.Response(404)
        with self.lock:
            return httpx.Response(200, json=handler(body))

    # -- auth -----------------------------------------------------------------------------------
    def _login(self, name: str, body: dict[str, Any]) -> httpx.Response:
        if name == "Auth/loginKey":
            if "userName" not in body or "apiKey" not in body:
                return httpx.Response(
                    400, json={"title": "One or more validation errors occurred.", "status": 400}
                )
            good = body["userName"].lower() == USERNAME and body["apiKey"] == API_KEY
        else:
            good = body.get("userName") == USERNAME and body.get("password") == "app-pass-123"
        if not good:
            return httpx.Response(
                200, json={"token": None, "success": False, "errorCode": 3, "errorMessage": None}
            )
        with self.lock:
            token = self.issue_token()
        return httpx.Response(200, json={"token": token, **OK})

    def _validate(self, request: httpx.Request) -> httpx.Response:
        token = self._valid(request)
        if self.validate_fails or token is None:
            return httpx.Response(
                200, json={"success": False, "errorCode": 3, "errorMessage": None, "newToken": None}
            )
        with self.lock:
            new = self.issue_token()
        return httpx.Response(200, json={**OK, "newToken": new})

    # -- data -----------------------------------------------------------------------------------
    def _Account_search(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"accounts": list(self.accounts), **OK}

    def _Contract_search(self, body: dict[str, Any]) -> dict[str, Any]:
        text = body["searchText"].upper()
        found = [c for c in CONTRACTS.values() if text in c["name"] or text in c["id"]]
        return {"contracts": found[:20], **OK}

    def _Contract_searchById(self, body: dict[str, Any]) -> dict[str, Any]:
        contract = CONTRACTS.get(body["contractId"])
        if contract is None:
            return {"contract": None, "success": False, "errorCode": 1, "errorMessage": None}
        return {"contract": contract, **OK}

    def _Contract_available(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"contracts": list(CONTRACTS.values()), **OK}

    def _History_retrieveBars(self, body: dict[str, Any]) -> dict[str, Any]:
        if body["contractId"] not in CONTRACTS:
            return {"bars": None, "success": False, "errorCode": 1, "errorMessage": None}
        if not 1 <= body["limit"] <= 20_000:
            return {"bars": None, "success": False, "errorCode": 4, "errorMessage": None}
        start, end = parse_ts(body["startTime"]), parse_ts(body["endTime"])
        minute = timedelta(minutes=1)
        first = self.bars_end - self.bar_count * minute
        # Bars with start <= t <= end (inclusive, so a paging client sees the edge bar twice), newest first.
        hi = min((end - first) // minute, self.bar_count - 1)
        lo = max(0, -((first - start) // minute))
        bars = []
        for k in range(hi, lo - 1, -1):
            if len(bars) >= body["limit"]:
                break
            t = first + k * minute
            price = 20000.0 + (k % 997) * 0.25
            bars.append(
                {"t": iso(t), "o": price, "h": price + 1, "l": price - 1, "c": price + 0.5, "v": k % 50}
            )
        return {"bars": bars, **OK}

    # -- orders ---------------------------------------------------------------------------------
    def _Order_place(self, body: dict[str, Any]) -> dict[str, Any]:
        if body["accountId"] not in {a["id"] for a in self.accounts}:
            return {"orderId": None, "success": False, "errorCode": 1, "errorMessage": None}
        if body["contractId"] not in CONTRACTS:
            return {"orderId": None, "success": False, "errorCode": 8, "errorMessage": None}
        tag = body.get("customTag")
        if tag is not None and any(o["customTag"] == tag for o in self.orders.values()):
            return {
                "orderId": None,
                "success": False,
                "errorCode": 2,
                "errorMessage": "Custom tag must be unique",
            }
        order_id = next(self.order_ids)
        now = iso(datetime.now(UTC))
        market = body["type"] == 2
        self.orders[order_id] = {
            "id": order_id,
            "accountId": body["accountId"],
            "contractId": body["contractId"],
            "symbolId": CONTRACTS[body["contractId"]]["symbolId"],
            "creationTimestamp": now,
            "updateTimestamp": now,
            "status": 2 if market else 1,
            "type": body["type"],
            "side": body["side"],
            "size": body["size"],
            "limitPrice": body.get("limitPrice"),
            "stopPrice": body.get("stopPrice"),
            "fillVolume": body["size"] if market else 0,
            "filledPrice": 6335.25 if market else None,
            "customTag": tag,
        }
        return {"orderId": order_id, **OK}

    def _order(self, body: dict[str, Any]) -> dict[str, Any] | None:
        order = self.orders.get(body["orderId"])
        return order if order is not None and order["accountId"] == body["accountId"] else None

    def _Order_modify(self, body: dict[str, Any]) -> dict[str, Any]:
        order = self._order(body)
        if order is None:
            return {"success": False, "errorCode": 2, "errorMessage": None}
        for key in ("size", "limitPrice", "stopPrice"):
            if body.get(key) is not None:
                order[key] = body[key]
        return dict(OK)

    def _Order_cancel(self, body: dict[str, Any]) -> dict[str, Any]:
        order = self._order(body)
        if order is None:
            return {"success": False, "errorCode": 2, "errorMessage": None}
        order["status"] = 3
        return dict(OK)

    def _Order_search(self, body: dict[str, Any]) -> dict[str, Any]:
        start = parse_ts(body["startTimestamp"])
        end = parse_ts(body["endTimestamp"]) if body.get("endTimestamp") else None
        found = [
            o
            for o in self.orders.values()
            if o["accountId"] == body["accountId"]
            and parse_ts(o["creationTimestamp"]) >= start
            and (end is None or parse_ts(o["creationTimestamp"]) <= end)
        ]
        return {"orders": found, **OK}

    def _Order_searchOpen(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"orders": [o for o in self.orders.values() if o["status"] == 1], **OK}

    def _Order_searchById(self, body: dict[str, Any]) -> dict[str, Any]:
        order = self._order(body)
        if order is None:
            return {"order": None, "success": False, "errorCode": 1, "errorMessage": None}
        return {"order": order, **OK}

    def _Order_v2_query(self, body: dict[str, Any]) -> dict[str, Any]:
        flt = body["filter"]
        found = [
            o
            for o in sorted(self.orders.values(), key=lambda o: o["id"])
            if o["accountId"] == flt["accountId"]
            and (not flt.get("statuses") or o["status"] in flt["statuses"])
        ]
        if body.get("sortDirection") == 1:
            found.reverse()
        offset, size = body.get("pageOffset", 0), body.get("pageSize", 50)
        return {"orders": found[offset : offset + size], "totalCount": len(found), **OK}

    # -- positions / trades -----------------------------------------------------------------------
    def _Position_searchOpen(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"positions": [p for p in self.positions if p["accountId"] == body["accountId"]], **OK}

    def _Position_closeContract(self, body: dict[str, Any]) -> dict[str, Any]:
        before = len(self.positions)
        self.positions = [p for p in self.positions if p["contractId"] != body["contractId"]]
        if len(self.positions) == before:
            return {"success": False, "errorCode": 2, "errorMessage": None}
        return dict(OK)

    def _Position_partialCloseContract(self, body: dict[str, Any]) -> dict[str, Any]:
        for p in self.positions:
            if p["contractId"] == body["contractId"]:
                if body["size"] >= p["size"]:
                    return {"success": False, "errorCode": 5, "errorMessage": None}
                p["size"] -= body["size"]
                return dict(OK)
        return {"success": False, "errorCode": 2, "errorMessage": None}

    def _Trade_search(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"trades": [t for t in self.trades if t["accountId"] == body["accountId"]], **OK}


class LossyTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forwards every request to ``inner`` and, when ``lose(request)`` says so, drops the answer.

    The server *has* processed the request; the client sees ``httpx.ReadTimeout``
    (or ``error``), exactly what a lost response looks like on the wire.
    """

    def __init__(
        self,
        inner: httpx.MockTransport,
        lose: Callable[[httpx.Request], bool],
        error: type[httpx.TransportError] = httpx.ReadTimeout,
    ) -> None:
        self.inner = inner
        self.lose = lose
        self.error = error
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.lose(request):
            self.lost += 1
            raise self.error("response lost", request=request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose(request):
            self.lost += 1
            raise self.error("response lost", request=request)
        return response


def once_for(path: str) -> Callable[[httpx.Request], bool]:
    """A ``lose`` predicate that drops the first response for ``path`` only."""
    state = {"done": False}

    def lose(request: httpx.Request) -> bool:
        if request.url.path == path and not state["done"]:
            state["done"] = True
            return True
        return False

    return lose
