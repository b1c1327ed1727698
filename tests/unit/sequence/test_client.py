"""The Sequence facade against an in-process fake service (``httpx.MockTransport``).

Covers what cassettes cannot: retries under injected faults (a lost response must never create a second
graph), what is and is not retried, client-side validation before anything is sent, secrets kept out of
logs/reprs/errors, deprecations, the batch builder and the composite calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from specwire.core.errors import APIConnectionError, ConflictError, NotFoundError
from specwire.core.retry import RetryPolicy
from specwire.sequence import AsyncSequence, Record, Sequence, SequenceError, SequenceResponseError
from specwire.sequence.transport import RETRY_STATUSES, is_idempotent

KEY = "seq_live_" + "SUPERSECRET0123456789"  # built at run time: no key-shaped literal in the repo


async def _no_sleep(_s: float) -> None:
    return None


def policy(max_retries: int = 3) -> RetryPolicy:
    return RetryPolicy(
        max_retries=max_retries,
        retry_statuses=RETRY_STATUSES,  # type: ignore[arg-type]
        is_idempotent=is_idempotent,
        sleep=lambda _s: None,
        asleep=_no_sleep,
    )


class FakeSequence:
    """Just enough of the service: graphs keyed by graph_id (409 on a duplicate), orders, faults on demand."""

    def __init__(self) -> None:
        self.graphs: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        #: per-path queue of faults for the next attempts: "drop-after" (process, then lose the
        #: response), "503" (reject without processing), "connect" (never reaches the service)
        self.faults: dict[str, list[str]] = {}
        #: lose the response of the first attempt of every graph (the graph is still created)
        self.drop_first_per_graph = False
        self._dropped: set[str] = set()
        self._lock = threading.Lock()
        self.orders: list[dict[str, Any]] = [
            {
                "node_order_id": "graph:g1:order:1",
                "qty_1e8": 1_000_000_000,
                "side": "BUY",
                "status": "ACCEPTED",
            }
        ]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = (
            (self.faults.get(request.url.path) or [None]).pop(0)
            if self.faults.get(request.url.path)
            else None
        )
        if fault == "connect":
            raise httpx.ConnectError("refused", request=request)
        if fault == "503":
            return httpx.Response(503, json={"error": "busy"})
        with self._lock:
            response = self._answer(request)
            if self.drop_first_per_graph and request.method == "POST" and request.url.path == "/v1/orders":
                gid = json.loads(request.content)["graph_id"]
                if gid not in self._dropped:
                    self._dropped.add(gid)
                    fault = "drop-after"
        if fault == "drop-after":
            raise httpx.ReadError("connection reset after the request was processed", request=request)
        return response

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/v1/orders":
            body = json.loads(request.content)
            gid = body["graph_id"]
            if gid in self.graphs:
                return httpx.Response(
                    409, json={"error": {"code": "CONFLICT", "message": "duplicate graph_id"}}
                )
            self.graphs[gid] = body
            return httpx.Response(
                200,
                json={"graph_id": gid, "status": "active", "node_count": len(body["nodes"]), "edge_count": 0},
            )
        if request.method == "GET" and path.startswith("/v1/execution_graphs/"):
            gid = path.rsplit("/", 1)[-1]
            if gid not in self.graphs:
                return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "unknown graph"}})
            return httpx.Response(200, json={"graph_id": gid, "status": "active", "nodes": {}, "edges": {}})
        if request.method == "GET" and path == "/v1/orders":
            wanted = request.url.params.get("node_order_id")
            rows = [o for o in self.orders if wanted in (None, o["node_order_id"])]
            return httpx.Response(
                200, json={"orders": rows, "total": len(rows), "limit": 50, "offset": 0, "has_more": False}
            )
        if request.method == "PATCH" and path.startswith("/v1/orders/"):
            return httpx.Response(200, json={"node_order_id": "graph:g1:order:2", "status": "ACCEPTED"})
        if request.method == "DELETE" and path.startswith("/v1/orders/"):
            if "missing" in path:
                return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "unknown order"}})
            return httpx.Response(204)
        if path == "/v1/markets":
            return httpx.Response(
                200, json={"markets": [{"venue": "polymarket", "slug": "m1"}], "has_more": False}
            )
        if path.startswith("/v1/quotes"):
            return httpx.Response(200, json={"symbol": "BTC-USD", "source": "edge_nbbo"})
        return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": f"no route {path}"}})

    def posted_graphs(self) -> int:
        return sum(1 for r in self.requests if r.method == "POST" and r.url.path == "/v1/orders")


@pytest.fixture
def fake() -> FakeSequence:
    return FakeSequence()


@pytest.fixture
def seq(fake: FakeSequence) -> Any:
    with Sequence(
        KEY, "https://api.test", transport=httpx.MockTransport(fake.handler), retry_policy=policy()
    ) as c:
        yield c


@pytest.fixture
async def aseq(fake: FakeSequence) -> Any:
    async with AsyncSequence(
        KEY, "https://api.test", transport=httpx.MockTransport(fake.handler), retry_policy=policy()
    ) as c:
        yield c


# ------------------------------------------------------------------ idempotent submission


def test_lost_response_is_retried_and_resolves_to_the_one_graph(seq: Sequence, fake: FakeSequence) -> None:
    fake.faults["/v1/orders"] = ["drop-after"]
    result = seq.buy("ETH-USD", 1)
    assert len(fake.graphs) == 1, "exactly one graph must exist"
    [gid] = fake.graphs
    assert result["graph_id"] == gid and result["duplicate"] is True
    assert result.model.graph_id == gid
    bodies = [json.loads(r.content) for r in fake.requests if r.method == "POST"]
    assert len(bodies) == 2 and bodies[0] == bodies[1], "the retry must resend the same graph_id"


def test_every_attempt_losing_its_response_still_makes_one_graph(seq: Sequence, fake: FakeSequence) -> None:
    fake.faults["/v1/orders"] = ["drop-after", "drop-after", "drop-after"]
    result = seq.graph([seq.node("a", "ETH-USD", "buy", 1)])
    assert len(fake.graphs) == 1
    assert fake.posted_graphs() == 4
    assert result["graph_id"] in fake.graphs


def test_503_before_processing_is_retried(seq: Sequence, fake: FakeSequence) -> None:
    fake.faults["/v1/orders"] = ["503", "connect"]
    result = seq.sell("BTC-USD", 0.5)
    assert len(fake.graphs) == 1 and fake.posted_graphs() == 3
    assert "duplicate" not in result


def test_every_response_lost_is_resolved_by_looking_the_graph_up(seq: Sequence, fake: FakeSequence) -> None:
    """Retries exhausted with the outcome unknown: the graph is looked up by its id, never submitted anew."""
    fake.faults["/v1/orders"] = ["drop-after"] * (seq.max_retries + 1)
    result = seq.buy("ETH-USD", 1)
    assert len(fake.graphs) == 1 and result["graph_id"] in fake.graphs
    assert result["duplicate"] is True and fake.posted_graphs() == seq.max_retries + 1


def test_unknown_outcome_without_a_graph_raises_with_the_graph_id(seq: Sequence, fake: FakeSequence) -> None:
    """The caller learns the id to resubmit with: the same graph_id can never make a second graph."""
    fake.faults["/v1/orders"] = ["503"] * (seq.max_retries + 1)
    with pytest.raises(SequenceError) as info:
        seq.buy("ETH-USD", 1)
    gid = info.value.graph_id  # type: ignore[attr-defined]
    assert gid.startswith("graph_") and fake.graphs == {}
    fake.faults["/v1/orders"] = ["drop-after"]
    again = seq.buy("ETH-USD", 1, graph_id=gid)  # resubmitting under the same id is safe
    assert again["graph_id"] == gid and list(fake.graphs) == [gid]


def test_unreadable_success_answer_is_resolved_by_looking_the_graph_up(
    seq: Sequence, fake: FakeSequence
) -> None:
    original = fake._answer

    def garbled(request: httpx.Request) -> httpx.Response:
        response = original(request)
        if request.method == "POST":
            return httpx.Response(200, text="<html>proxy</html>")
        return response

    fake._answer = garbled  # type: ignore[method-assign]
    result = seq.buy("ETH-USD", 1)
    assert len(fake.graphs) == 1 and result["graph_id"] in fake.graphs and fake.posted_graphs() == 1


def test_refused_submission_is_not_looked_up(seq: Sequence, fake: FakeSequence) -> None:
    original = fake._answer

    def invalid(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(422, json={"error": {"code": "VALIDATION_ERROR", "message": "bad qty"}})
        return original(request)

    fake._answer = invalid  # type: ignore[method-assign]
    with pytest.raises(SequenceError) as info:
        seq.buy("ETH-USD", 1)
    assert info.value.status == 422 and info.value.graph_id.startswith("graph_")  # type: ignore[attr-defined]
    assert [r.method for r in fake.requests] == ["POST"]


async def test_async_every_response_lost_is_resolved(aseq: AsyncSequence, fake: FakeSequence) -> None:
    fake.faults["/v1/orders"] = ["drop-after"] * (aseq.max_retries + 1)
    result = await aseq.buy("ETH-USD", 1)
    assert len(fake.graphs) == 1 and result["graph_id"] in fake.graphs


def test_409_without_our_graph_is_raised(seq: Sequence, fake: FakeSequence) -> None:
    """A 409 the client did not cause (kill switch active) reaches the caller."""
    fake.graphs["graph_taken"] = {}
    original = fake._answer

    def kill_switch(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(409, json={"error": {"code": "CONFLICT", "message": "kill switch active"}})
        return original(request)

    fake._answer = kill_switch  # type: ignore[method-assign]
    with pytest.raises(ConflictError) as info:
        seq.buy("ETH-USD", 1)
    assert isinstance(info.value, SequenceError) and info.value.status == 409
    assert info.value.message == "kill switch active"


async def test_async_lost_response_resolves_to_the_one_graph(aseq: AsyncSequence, fake: FakeSequence) -> None:
    fake.faults["/v1/orders"] = ["drop-after", "drop-after"]
    result = await aseq.buy("ETH-USD", 1)
    assert len(fake.graphs) == 1 and result["graph_id"] in fake.graphs


def test_concurrent_submissions_each_make_exactly_one_graph(seq: Sequence, fake: FakeSequence) -> None:
    fake.drop_first_per_graph = True
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(seq.buy("ETH-USD", 1))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake.graphs) == 5
    assert sorted(r["graph_id"] for r in results) == sorted(fake.graphs)
    assert all(r["duplicate"] for r in results)


def test_unsafe_write_is_not_retried_after_it_may_have_arrived(seq: Sequence, fake: FakeSequence) -> None:
    fake.faults["/v1/orders/graph:g1:order:1"] = ["drop-after"]
    with pytest.raises(APIConnectionError) as info:
        seq.amend("graph:g1:order:1", new_price=0.5)
    assert isinstance(info.value, SequenceError) and info.value.status == 0
    assert sum(1 for r in fake.requests if r.method == "PATCH") == 1


def test_reads_are_retried(seq: Sequence, fake: FakeSequence) -> None:
    fake.faults["/v1/quotes/BTC-USD"] = ["503", "drop-after"]
    assert seq.quote("BTC-USD")["symbol"] == "BTC-USD"
    assert len(fake.requests) == 3


def test_is_idempotent_rules() -> None:
    def req(method: str, path: str, body: Any = None) -> httpx.Request:
        return httpx.Request(method, "https://x" + path, json=body)

    assert is_idempotent(req("POST", "/v1/orders", {"graph_id": "graph_1", "nodes": []}))
    assert not is_idempotent(req("POST", "/v1/orders", {"nodes": []}))
    assert is_idempotent(req("POST", "/v1/quotes_batch", {"symbols": []}))
    assert not is_idempotent(req("POST", "/v1/kill_switch", {"reason": None}))
    assert not is_idempotent(req("DELETE", "/v1/execution_graphs/g"))


# ------------------------------------------------------------------ validation before sending


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.amend("o"), "amend: must pass at least one of new_price or new_qty"),
        (lambda s: s.decrease("o", 0), "decrease: reduce_by must be > 0"),
        (lambda s: s.buy("ETH-USD", -1), "qty must be > 0, got -1"),
        (lambda s: s.buy("ETH-USD", 1, urgency="now"), "urgency='now'"),
        (lambda s: s.preview("ETH-USD", "hold", 1), "side must be 'buy' or 'sell', got 'hold'"),
        (lambda s: s.quotes(["A,B"]), "must not contain a comma"),
        (lambda s: s.quotes_batch([f"S{i}" for i in range(2001)]), "up to 2000 symbols, got 2001"),
        (lambda s: s.quote(""), "symbol must be a non-empty string"),
        (lambda s: s.markets(limit="10"), "limit must be an int"),
        (lambda s: s.orders(limit=0), "limit must be an int >= 1, got 0"),
        (lambda s: s.cancel(":x"), "cannot find a graph id"),
        (lambda s: s.stream("prices:BTC-USD"), "must be a list of channel names"),
    ],
)
def test_bad_input_raises_before_anything_is_sent(
    seq: Sequence, fake: FakeSequence, call: Callable[[Any], Any], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        call(seq)
    assert message in str(info.value)
    assert fake.requests == []


def test_decrease_past_zero_is_a_400_and_sends_no_amend(seq: Sequence, fake: FakeSequence) -> None:
    with pytest.raises(SequenceError) as info:
        seq.decrease("graph:g1:order:1", 10)
    assert info.value.status == 400
    assert "reduce_by exceeds remaining quantity" in info.value.message
    assert [r.method for r in fake.requests] == ["GET"]


def test_decrease_is_exact_in_fixed_point(seq: Sequence, fake: FakeSequence) -> None:
    fake.orders[0]["qty_1e8"] = 30_000_000  # 0.3
    seq.decrease("graph:g1:order:1", 0.1)
    assert json.loads(fake.requests[-1].content) == {"new_qty_1e8": 20_000_000}  # float math gives 0.19999999


def test_order_unknown_is_a_client_side_404(seq: Sequence) -> None:
    with pytest.raises(NotFoundError) as info:
        seq.order("graph:nope:order:1")
    assert isinstance(info.value, SequenceError)
    assert (info.value.status, info.value.message) == (404, "order graph:nope:order:1 not found")


@pytest.mark.parametrize(
    ("given", "graph"),
    [("graph:graph_abc:spot:1", "graph_abc"), ("graph_abc:spot:1", "graph_abc"), ("graph_abc", "graph_abc")],
)
def test_cancel_targets_the_graph_of_a_node_order_id(
    seq: Sequence, fake: FakeSequence, given: str, graph: str
) -> None:
    fake.graphs[graph] = {}
    with pytest.raises(NotFoundError):  # the fake has no DELETE route: we only check where it went
        seq.cancel(given)
    assert (fake.requests[-1].method, fake.requests[-1].url.path) == (
        "DELETE",
        f"/v1/execution_graphs/{graph}",
    )


# ------------------------------------------------------------------ composite calls


@pytest.mark.parametrize(
    ("identifier", "venue", "params"),
    [
        ("9" * 70, "polymarket", {"clob_token_id": "9" * 70, "active": "false"}),
        ("KXBTCZ-26DEC31-T99000:no", "kalshi", {"slug": "KXBTCZ-26DEC31-T99000", "active": "true"}),
        ("fed-decision", "polymarket", {"slug": "fed-decision", "active": "true"}),
    ],
)
def test_market_lookup_routes_like_the_documented_sdk(
    seq: Sequence, fake: FakeSequence, identifier: str, venue: str, params: dict[str, str]
) -> None:
    row = seq.market(identifier, venue=venue)
    assert row is not None and row["slug"] == "m1"
    sent = dict(fake.requests[-1].url.params)
    assert sent["limit"] == "1" and sent["venue"] == venue
    assert {k: sent[k] for k in params} == params


def test_batch_fluent_and_context_manager(seq: Sequence, fake: FakeSequence) -> None:
    with seq.batch("kalshi") as b:
        b.buy_limit("KXBTCZ-26DEC31-T99000", 10, 0.55).buy_limit("KXBTCZ-26DEC31-T100000", 10, 0.50)
        b.cancel("missing_order")
        assert len(b) == 3
    assert b.result is not None and b.result["mode"] == "serial"
    kinds = [next(iter(r)) for r in b.result["responses"]]
    assert kinds == ["submitted", "submitted", "error"]
    assert "unknown order" in b.result["responses"][2]["error"]
    assert len(fake.graphs) == 2
    prices = [g["nodes"][0]["order_type"] for g in fake.graphs.values()]
    assert prices == [{"limit": {"price_1e9": 550_000_000}}, {"limit": {"price_1e9": 500_000_000}}]
    assert all(g["nodes"][0]["instrument"]["venue"] == "kalshi" for g in fake.graphs.values())
    assert b.result.model.mode == "serial" and len(b.result.model.responses) == 3


def test_batch_result_survives_an_explicit_end_inside_the_block(seq: Sequence, fake: FakeSequence) -> None:
    with seq.batch("kalshi") as b:
        b.buy_limit("KXBTCZ-26DEC31-T99000", 10, 0.55)
        returned = b.end()
    assert b.result is returned and len(b.result["responses"]) == 1  # leaving the block sent nothing more
    assert len(fake.graphs) == 1


def test_batch_is_not_sent_when_the_block_raises(seq: Sequence, fake: FakeSequence) -> None:
    with pytest.raises(RuntimeError), seq.batch("polymarket") as b:
        b.buy("TOKEN", 10)
        raise RuntimeError("boom")
    assert fake.requests == [] and b.result is None


def test_batch_validates_when_queued(seq: Sequence) -> None:
    with pytest.raises(ValueError, match="qty must be > 0"):
        seq.batch("kalshi").buy("X", 0)


async def test_async_batch(aseq: AsyncSequence, fake: FakeSequence) -> None:
    async with aseq.batch("polymarket") as b:
        b.buy("TOKEN_ID", 10)
    assert b.result is not None and list(b.result["responses"][0]) == ["submitted"]
    assert len(fake.graphs) == 1


def test_deprecated_calls_warn(seq: Sequence) -> None:
    for name in ("balances", "positions", "perp_positions", "portfolio"):
        with (
            pytest.warns(DeprecationWarning, match=f"{name}\\(\\) is deprecated"),
            pytest.raises(NotFoundError),
        ):
            getattr(seq, name)()


def test_records_are_dicts_with_lazy_typed_models(seq: Sequence) -> None:
    q = seq.quote("BTC-USD")
    assert isinstance(q, dict) and q == {"symbol": "BTC-USD", "source": "edge_nbbo"}
    assert q.model.symbol == "BTC-USD"
    assert q.model is q.model  # parsed once


def test_record_shape_error_names_the_problem() -> None:
    from specwire_gen.sequence.models import GraphSubmission

    with pytest.raises(SequenceResponseError, match="does not match the documented shape: KeyError"):
        _ = Record({"status": "active"}, GraphSubmission.from_dict).model


def test_non_json_success_body_is_a_clear_error(fake: FakeSequence) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, text="<html>oops</html>"))
    with (
        Sequence(KEY, "https://api.test", transport=transport) as s,
        pytest.raises(SequenceResponseError) as info,
    ):
        s.account()
    assert "expected JSON, got: <html>oops</html>" in str(info.value)


def test_max_concurrent_caps_calls_in_flight() -> None:
    in_flight = 0
    peak = 0
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1
        return httpx.Response(200, json={"symbol": "X"})

    with Sequence(KEY, "https://api.test", max_concurrent=2, transport=httpx.MockTransport(handler)) as s:
        threads = [threading.Thread(target=s.quote, args=("X",)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert peak == 2


async def test_async_max_concurrent() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={"symbol": "X"})

    async with AsyncSequence(
        KEY, "https://api.test", max_concurrent=3, transport=httpx.MockTransport(handler)
    ) as s:
        await asyncio.gather(*(s.quote("X") for _ in range(9)))
    assert peak == 3


def test_base_url_trailing_slashes_and_validation() -> None:
    assert Sequence(KEY, "http://localhost:50052///").base_url == "http://localhost:50052"
    with pytest.raises(ValueError, match="absolute http"):
        Sequence(KEY, "localhost:50052")
    with pytest.raises(ValueError, match="api_key must be a non-empty string"):
        Sequence("")


# ------------------------------------------------------------------ secrets


def test_api_key_and_venue_secrets_never_leak(caplog: pytest.LogCaptureFixture) -> None:
    venue_secret = "VENUE-SECRET-abcdef123456"

    def handler(request: httpx.Request) -> httpx.Response:
        # a hostile server echoing what it got
        return httpx.Response(
            422,
            json={"error": {"message": f"bad creds {venue_secret} for {request.headers['authorization']}"}},
        )

    caplog.set_level(logging.DEBUG)
    with Sequence(KEY, "https://api.test", transport=httpx.MockTransport(handler)) as s:
        with pytest.raises(SequenceError) as info:
            s.connect_venue("binance", api_key="AK", api_secret=venue_secret)
        err = info.value
        shown = " ".join([str(err), repr(err), str(err.body), err.message, repr(s), caplog.text])
        assert KEY not in shown and venue_secret not in shown
        assert "bad creds" in err.message
        assert KEY not in repr(vars(s))
