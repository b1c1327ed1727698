"""The documented examples of the Sequence Python SDK (seed 004), run against ``specwire.sequence``.

Only the import line changes (``from specwire.sequence import Sequence, SequenceError``); the code below is
the documentation's, run against a fake service that answers every path with the spec's example (so the
README's Sequence section is known to work). Streams run against a loopback WebSocket server.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from specwire.sequence import Sequence, SequenceError, StreamOptions
from specwire.streaming.backoff import Backoff

from tests.support.spec_validation import find_operation, validate_request_body
from tests.support.ws_server import Expect, Send, Stall, WSServer


def spec_fake(overrides: dict[tuple[str, str], Any] | None = None) -> httpx.MockTransport:
    """Answer every documented call with its spec example; check every request body against the spec."""

    def handler(request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        if (method, path) in (overrides or {}):
            answer = (overrides or {})[(method, path)]
            return answer(request) if callable(answer) else httpx.Response(200, json=answer)
        _template, op = find_operation("sequence", method, path)
        if request.content:
            validate_request_body("sequence", method, path, json.loads(request.content))
        if method == "POST" and path == "/v1/orders":
            body = json.loads(request.content)
            return httpx.Response(
                200,
                json={
                    "graph_id": body["graph_id"],
                    "status": "active",
                    "node_count": len(body["nodes"]),
                    "edge_count": len(body["edges"]),
                },
            )
        ok = op["responses"].get("200", {})
        media = ok.get("content", {}).get("application/json")
        if media is None:
            return httpx.Response(204)
        return httpx.Response(200, json=copy.deepcopy(media["example"]))

    return httpx.MockTransport(handler)


TICKS = {
    "symbol": "BTC-USDC",
    "source": "tape",
    "window": {"start_ts_s": 1776000000, "end_ts_s": 1776086400},
    "points": [
        {
            "ts_ns": 1776000000000000000,
            "price_1e9": 73984123456789,
            "qty_1e8": 1500000,
            "side": "buy",
            "venue_id": "coinbase",
        }
    ],
    "underlying": None,
}


@pytest.fixture
def seq() -> Any:
    return Sequence(
        "seq_test_...",
        "http://localhost:50052",
        transport=spec_fake({("GET", "/v1/price_history/BTC-USDC"): TICKS}),
    )


def test_client_construction_without_network() -> None:
    seq = Sequence("seq_live_...")  # production
    assert seq.base_url == "https://api.sequencemkts.com"
    seq = Sequence("seq_test_...", "http://localhost:50052")  # local sandbox
    assert seq.base_url == "http://localhost:50052"


def test_error_handling_example() -> None:
    def rate_limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": "Rate limit exceeded"})

    seq = Sequence(
        "seq_test_...",
        "http://localhost:50052",
        max_retries=0,
        transport=spec_fake({("POST", "/v1/orders"): rate_limited}),
    )
    seen = []
    try:
        seq.buy("ETH-USD", 50)
    except SequenceError as e:
        if e.status == 429:
            seen.append("backoff")  # the docs sleep here
        elif e.status == 409:
            ...
        else:
            raise
    assert seen == ["backoff"]


def test_level0_examples(seq: Sequence, capsys: pytest.CaptureFixture[str]) -> None:
    seq.connect_venue("binance", api_key="AK…", api_secret="SK…")
    seq.connect_venue("okx", api_key="AK…", api_secret="SK…", passphrase="••")
    seq.connect_venue(
        "kalshi",
        api_key="dc9d0cd5-076a-4ea8-b406-1847279dac4b",
        api_secret="-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
    )
    seq.connect_venue(
        "polymarket",
        api_key="",
        api_secret="",
        extra_json={
            "signer_private_key": "0xabc…",
            "proxy_address": "0xdef…",  # optional
            "builder": "0x…",  # optional
        },
    )
    for v in seq.venues():
        print(f"{v['venue']:10} {'✓' if v['connected'] else '✗'}")
    assert capsys.readouterr().out == "coinbase   ✓\n"
    assert seq.health() is True


def test_level1_examples(seq: Sequence, capsys: pytest.CaptureFixture[str]) -> None:
    kalshi_tickers, polymarket_token_ids = ["KXBTCZ-26DEC31-T99000"], ["128"]
    bbo = seq.quotes(["BTC-USD", "ETH-USD", "SOL-USD"])
    assert bbo[0]["nbbo"]["mid"] == 73984.57
    r = seq.quotes_batch(
        symbols=[*kalshi_tickers, *polymarket_token_ids],
        depth=20,
        nowait=True,  # default — see note below
        concurrency=64,  # cap 256
    )
    for q in r["quotes"]:
        if "error" in q:
            continue
        print(q["symbol"], q["nbbo"]["bid"], q["nbbo"]["ask"], q["source"])

    resp = seq.positions_unified()
    print(f"NAV = ${resp['totals']['nav_usd_1e9'] / 1e9:,.2f}")
    seq.positions_unified(kinds=["fiat", "crypto"])
    seq.positions_unified(kinds=["event_contract"], venues=["kalshi", "polymarket"])
    seq.positions_unified(include_closed=True)

    seq.price_history("BTC-USDT", range="1y", fidelity_secs=3600, venue="binance")
    ticks = seq.price_history("BTC-USDC", fidelity_secs=0, limit=200)
    for p in ticks["points"]:
        print(p["ts_ns"], p["price_1e9"] / 1e9, p["qty_1e8"] / 1e8, p["side"])
    seq.price_history("btc-updown-5m-1776537600", fidelity_secs=0, limit=50_000, underlying=True)

    r = seq.funding_history("BTC-USDT", "binance", "1m")
    for p in r["points"]:
        bps = p["rate_1e9"] / 1e9 * 10_000
        print(f"{p['ts_ns']}: {bps:+.3f} bps")

    seen = set()
    for m in seq.new_markets(limit=50)["markets"]:
        if m["condition_id"] not in seen:
            seen.add(m["condition_id"])
            print("NEW:", m["slug"], m["question"])

    fees = seq.fees("KXMLBHR-26APR292140KCATH-ATHLBUTLER4-1:YES", venues=["kalshi", "polymarket"])
    assert fees["fees"][0]["taker_bps"] == 350
    assert all(e["status"] == "connected" for e in seq.edges()["edges"])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "BTC-USD 73984.12 73985.03 edge_nbbo"
    assert out[1] == "NAV = $48,228.48"
    assert out[2] == "1776000000000000000 73984.123456789 0.015 buy"
    assert out[-1] == "NEW: fed-decision-in-october Will the Fed cut rates in October?"


def test_iter_markets_examples() -> None:
    pages = iter(
        [
            {"markets": [{"venue": "kalshi", "slug": "a"}], "has_more": True, "next_cursor": "c2"},
            {
                "markets": [{"venue": "kalshi", "slug": "b", "is_placeholder_outcome": True}],
                "has_more": False,
            },
        ]
    )
    seq = Sequence(
        "seq_test_...",
        "http://localhost:50052",
        transport=spec_fake({("GET", "/v1/markets"): lambda r: httpx.Response(200, json=next(pages))}),
    )
    processed = []
    for m in seq.iter_markets(venue="polymarket", expand="outcomes", active=True):
        if not m.get("is_placeholder_outcome"):
            processed.append(m["slug"])
    assert processed == ["a"]


def test_level2_and_level3_examples(seq: Sequence) -> None:
    seq.buy("ETH-USD", 50, urgency="high", max_slippage_bps=10)
    seq.sell("BTC-USD", 0.5, venue="coinbase", limit_price=75000.0, tif="GTC")
    seq.buy("KXPGATOUR-ZUCONO26-THVI", 1, venue="kalshi", limit_price=0.02)
    seq.buy("4394372887385518214471608448209527405", 10, venue="polymarket", limit_price=0.10)
    seq.cancel("graph_f679e9c25e9e4ecbaacceb71d62bd9a9")
    r = seq.buy("ETH-USD-PERP", 5, instrument_type="perp", venue="hyperliquid")
    assert r["status"] == "active" and r["node_count"] == 1

    order_id = "graph:graph_abc:order:1"
    r = seq.amend(order_id, new_price=0.55, new_qty=10)
    assert r["mode"] == "cancel_replace"

    with seq.batch("kalshi") as b:
        b.buy_limit("KXBTCZ-26DEC31-T99000", 10, 0.55)
        b.buy_limit("KXBTCZ-26DEC31-T100000", 10, 0.50)
        b.cancel("some_resting_order_id")
    assert b.result is not None and b.result["mode"] == "serial" and len(b.result["responses"]) == 3
    assert seq.batch("polymarket").buy("TOKEN_ID", 10).end()["mode"] == "serial"

    graph = seq.graph(
        nodes=[
            seq.node("spot", "ETH-USD", "buy", 200, urgency="medium"),
            seq.node("hedge", "ETH-USD-PERP", "sell", 200, venue="hyperliquid", instrument_type="perp"),
        ],
        edges=[seq.edge("spot", "hedge", trigger="fill_pct", value=0.5)],
    )
    assert graph["node_count"] == 2 and graph["edge_count"] == 1
    graph = seq.graph(
        nodes=[
            seq.node("entry", "BTC-USD", "buy", 0.1, urgency="high"),
            seq.node("tp", "BTC-USD", "sell", 0.1, limit_price=80_000),
            seq.node("sl", "BTC-USD", "sell", 0.1),
        ],
        edges=[
            seq.edge("entry", "tp", trigger="full_fill"),
            {  # on_price needs the dict form
                "edge_id": "e_sl",
                "from_node": "entry",
                "to_node": "sl",
                "trigger": {
                    "on_price": {
                        "symbol": "BTC-USD",
                        "direction": "below",
                        "reference": "graph_entry_price",
                        "offset_pct": -5.0,
                    }
                },
            },
        ],
    )
    status = seq.graph_status(graph["graph_id"])
    assert status["nodes"]["spot"]["status"] == "filled"


def test_level4_and_level5_examples(seq: Sequence) -> None:
    seq.algos()
    seq.algos(detail="edge")
    seq.algo("ETH-USD")
    seq.algo_start_by_symbol("ETH-USD")
    seq.algo_stop_by_symbol("ETH-USD")
    seq.algo_logs_by_symbol("ETH-USD")
    seq.algo_stats("ETH-USD")
    seq.strategies()
    seq.strategy("strat_abc")
    seq.strategy_start("strat_abc")
    seq.strategy_stop("strat_abc")
    seq.strategy_logs("strat_abc")
    seq.strategy_delete("strat_abc")
    assert seq.tca()["savings_usd"] == 14.5
    assert seq.routing("ETH-USD")["chosen"] == "coinbase"
    assert seq.execution_summary()["hit_rate"] == 0.93


async def test_streaming_examples(capsys: pytest.CaptureFixture[str]) -> None:
    price = {
        "channel": "prices:BTC-USD",
        "data": {"bid": 73984.12, "ask": 73985.03, "mid": 73984.57, "spread_bps": 1.23, "ts_ns": 1},
    }
    fill = {"channel": "fills", "data": {"fill_id": "f1"}}
    new_market = {
        "kind": "new_market",
        "venue": "polymarket",
        "slug": "btc-updown-5m-1776657000",
        "outcome_token_ids": ["111", "222"],
        "observed_at_ns": 1,
    }
    async with WSServer(
        [[Expect("subscribe"), Send(price), Send(fill), Stall()], [Send(new_market), Stall()]]
    ) as server:
        seq = Sequence(
            "seq_test_...",
            f"http://127.0.0.1:{server.port}",
            transport=spec_fake(),
            stream_options=StreamOptions(backoff=Backoff(initial=0.01, maximum=0.02)),
        )
        n = 0
        async for channel, data in seq.stream(["prices:BTC-USD", "fills"]):
            if channel.startswith("prices:"):
                print(channel, data["bid"], data["ask"])
            elif channel == "fills":
                print("fill:", data)
            n += 1
            if n == 2:
                break
        async for m in seq.stream_new_markets():
            if "btc-updown" in m["slug"]:
                seq.buy(m["outcome_token_ids"][0], qty=5, venue="polymarket")
                break
    assert capsys.readouterr().out == "prices:BTC-USD 73984.12 73985.03\nfill: {'fill_id': 'f1'}\n"
