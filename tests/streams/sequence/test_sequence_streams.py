"""Sequence WebSocket streams against a scripted loopback server (tests/support/ws_server.py).

Real sockets on 127.0.0.1: subscription on every connect, typed messages, frames that must not break
the iterator, drops with reconnect and re-subscription, the lifecycle streams' replay de-duplication,
deterministic close (break, cancellation), the sync/callback form, and a fatal handshake rejection.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from specwire.core.errors import AuthenticationError
from specwire.sequence import AsyncSequence, Sequence, SequenceError, StreamMessage, StreamOptions
from specwire.streaming.backoff import Backoff
from specwire.streaming.state import ConnectionState, StateChange
from specwire_gen.sequence.stream_models import FillEvent, MarketResolvedEvent, NewMarketEvent, PriceUpdate

from tests.support.ws_server import Close, Drop, Expect, Reject, Send, Stall, WSServer

KEY = "seq_live_" + "streamkey0123456789"  # built at run time: no key-shaped literal in the repo
FAST = StreamOptions(backoff=Backoff(initial=0.01, maximum=0.02), open_timeout=5.0)

PRICE = {
    "channel": "prices:BTC-USD",
    "data": {"bid": 73984.12, "ask": 73985.03, "mid": 73984.57, "spread_bps": 1.23, "ts_ns": 1},
}
PRICE_SDK_SHAPE = {
    "channel": "prices:BTC-USD",
    "data": {"bid": 1.0, "ask": 2.0, "mid": 1.5, "bid_sz": 3.0, "ask_sz": 4.0, "ts_ns": 2},
}
FILL = {
    "channel": "fills",
    "data": {"fill_id": "f1", "qty_1e8": 5_000_000_000, "price_1e9": 2_325_530_000_000},
}
NEW_SEED = {
    "kind": "new_market",
    "venue": "polymarket",
    "slug": "btc-updown-5m-1",
    "condition_id": "0xa",
    "outcomes": ["Up", "Down"],
    "outcome_token_ids": ["1", "2"],
    "tick_1e9": 10_000_000,
    "fee_schedule": {"exponent": 1, "rate_1e8": 7_200_000, "taker_only": True, "rebate_rate_1e8": 20_000_000},
    "observed_at_ns": 100,
}
NEW_SDK = {
    "kind": "new_market",
    "venue": "kalshi",
    "slug": "KX-1",
    "symbol": "KX-1",
    "event_id": "E1",
    "yes_token_id": "y",
    "no_token_id": "n",
    "best_yes_bid": None,
    "end_date": "2026-10-31T23:59:59Z",
    "observed_at_ns": 200,
}


def client(server: WSServer) -> Sequence:
    return Sequence(KEY, f"http://127.0.0.1:{server.port}", stream_options=FAST)


def subscribed(frame: str | bytes) -> Any:
    return json.loads(frame)


async def test_subscribes_on_connect_and_yields_typed_messages() -> None:
    script = [
        Expect("subscribe"),
        Send({"subscribed": ["prices:BTC-USD", "fills"], "rejected": []}),
        Send("not json at all"),
        Send({"error": {"code": "BAD_TOPIC", "message": "nope"}}),
        Send(PRICE),
        Send([FILL, 5, {"channel": "orders", "data": {"status": "FILLED"}}]),
        Send(PRICE_SDK_SHAPE),
        Stall(),
    ]
    async with WSServer([script]) as server:
        got: list[StreamMessage] = []
        async for item in client(server).stream(["prices:BTC-USD", "fills"]):
            got.append(item)
            if len(got) == 4:
                break
        conn = server.connections[0]
        assert conn.path == "/v1/stream"
        assert conn.headers["authorization"] == f"Bearer {KEY}"
        assert subscribed(conn.received[0]) == {"subscribe": ["prices:BTC-USD", "fills"]}
    channels = [channel for channel, _data in got]
    assert channels == ["prices:BTC-USD", "fills", "orders", "prices:BTC-USD"]
    price = got[0].message
    assert isinstance(price, PriceUpdate) and price.spread_bps == 1.23 and got[0].data["bid"] == 73984.12
    assert isinstance(got[1].message, FillEvent) and got[1].message.price_1e9 == 2_325_530_000_000
    assert got[2].message.status == "FILLED"
    assert got[3].message.bid_sz == 3.0  # the SDK docstring's shape decodes too


async def test_drop_reconnects_and_resubscribes_every_channel() -> None:
    first = [Expect("subscribe"), Send(PRICE), Expect("subscribe"), Drop()]
    second = [Expect("subscribe"), Send(FILL), Stall()]
    states: list[StateChange] = []
    async with WSServer([first, second]) as server:
        stream = client(server).stream(["prices:BTC-USD"], on_state_change=states.append)
        got = []
        async for channel, data in stream:
            got.append((channel, data))
            if channel.startswith("prices:"):
                await stream.subscribe(["fills"])
            if channel == "fills":
                break
        assert [subscribed(f) for f in server.connections[0].received] == [
            {"subscribe": ["prices:BTC-USD"]},
            {"subscribe": ["fills"]},
        ]
        assert subscribed(server.connections[1].received[0]) == {"subscribe": ["prices:BTC-USD", "fills"]}
        assert await server.await_until(lambda: server.open_connections == 0)
    assert [c for c, _ in got] == ["prices:BTC-USD", "fills"]
    assert stream.connections == 2
    assert ConnectionState.RECONNECTING in [s.new for s in states]
    assert states[-1].new is ConnectionState.DISCONNECTED


async def test_server_close_frame_also_reconnects() -> None:
    async with WSServer(
        [[Expect("subscribe"), Close(1012, "restart")], [Expect("subscribe"), Send(FILL), Stall()]]
    ) as server:
        async for channel, _data in client(server).stream(["fills"]):
            assert channel == "fills"
            break
        assert len(server.connections) == 2


async def test_unsubscribe_is_sent_and_not_restored() -> None:
    async with WSServer(
        [
            [Expect("subscribe"), Send(PRICE), Expect("unsubscribe"), Drop()],
            [Expect("subscribe"), Send(FILL), Stall()],
        ]
    ) as server:
        stream = client(server).stream(["prices:BTC-USD", "fills"])
        async for channel, _ in stream:
            if channel.startswith("prices:"):
                await stream.unsubscribe(["prices:BTC-USD"])
            else:
                break
        assert subscribed(server.connections[0].received[1]) == {"unsubscribe": ["prices:BTC-USD"]}
        assert subscribed(server.connections[1].received[0]) == {"subscribe": ["fills"]}


async def test_break_closes_the_socket_at_once() -> None:
    async with WSServer([[Expect("subscribe"), Send(PRICE), Send(PRICE), Stall()]]) as server:
        async for _ in client(server).stream(["prices:BTC-USD"]):
            break
        assert await server.await_until(lambda: server.connections[0].closed, timeout=2.5)


async def test_cancellation_closes_the_socket() -> None:
    async with WSServer([[Expect("subscribe"), Send(PRICE), Stall()]]) as server:
        first = asyncio.Event()

        async def consume() -> None:
            async for _ in client(server).stream(["prices:BTC-USD"]):
                first.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await server.await_until(lambda: server.connections[0].closed, timeout=2.5)


async def test_async_with_and_aclose() -> None:
    async with WSServer([[Expect("subscribe"), Send(PRICE), Stall()]]) as server:
        async with AsyncSequence(KEY, f"http://127.0.0.1:{server.port}", stream_options=FAST) as aseq:
            async with aseq.stream(["prices:BTC-USD"]) as stream:
                channel, _ = await stream.__anext__()
                assert channel == "prices:BTC-USD"
            assert stream.closed
        assert await server.await_until(lambda: server.connections[0].closed, timeout=2.5)


async def test_lifecycle_replay_after_reconnect_is_deduplicated() -> None:
    replay_then_new = dict(NEW_SEED, slug="btc-updown-5m-2", condition_id="0xb", observed_at_ns=101)
    first = [Send(NEW_SEED), Send(NEW_SDK), Drop()]
    # the server's replay ring re-sends what we saw, plus what was minted during the gap
    second = [Send(NEW_SEED), Send(NEW_SDK), Send(replay_then_new), Stall()]
    async with WSServer([first, second]) as server:
        stream = client(server).stream_new_markets()
        got = []
        async for market in stream:
            got.append(market)
            if len(got) == 3:
                break
        assert server.connections[0].path == "/v1/ws/new_markets"
        assert server.connections[0].received == []  # no subscribe message on lifecycle streams
    assert [m["slug"] for m in got] == ["btc-updown-5m-1", "KX-1", "btc-updown-5m-2"]
    assert stream.duplicates == 2
    seed_shape, sdk_shape = got[0].model, got[1].model
    assert isinstance(seed_shape, NewMarketEvent) and seed_shape.fee_schedule.rate_1e8 == 7_200_000
    assert (
        isinstance(sdk_shape, NewMarketEvent)
        and sdk_shape.event_id == "E1"
        and sdk_shape.best_yes_bid is None
    )


async def test_resolved_markets_stream_accepts_both_documented_shapes() -> None:
    seed = {
        "kind": "market_resolved",
        "venue": "polymarket",
        "condition_id": "0xa",
        "winning_outcome": "Up",
        "winning_token_id": "1",
        "losing_token_id": "2",
        "observed_at_ns": 5,
    }
    sdk = {
        "kind": "market_resolved",
        "venue": "kalshi",
        "event_id": "E1",
        "winning_outcome": "YES",
        "winning_token_id": "y",
        "losing_token_id": "n",
        "observed_at_ns": 6,
    }
    async with WSServer([[Send([seed, sdk]), Stall()]]) as server:
        got = []
        async for event in client(server).stream_resolved_markets():
            got.append(event)
            if len(got) == 2:
                break
        assert server.connections[0].path == "/v1/ws/market_resolved"
    assert [type(e.model) for e in got] == [MarketResolvedEvent, MarketResolvedEvent]
    assert got[0].model.condition_id == "0xa" and got[1].model.event_id == "E1"


async def test_rejected_handshake_is_a_typed_fatal_error() -> None:
    async with WSServer([[Reject(401, {"error": {"code": "UNAUTHORIZED", "message": "bad key"}})]]) as server:
        with pytest.raises(AuthenticationError) as info:
            async for _ in client(server).stream(["fills"]):
                pass
        assert isinstance(info.value, SequenceError) and info.value.status == 401
        assert KEY not in str(info.value)
        assert len(server.connections) == 1  # not retried


def test_sync_callback_form_delivers_events_and_stops() -> None:
    with WSServer(
        [[Expect("subscribe"), Send(PRICE), Send(FILL), Drop()], [Expect("subscribe"), Send(PRICE), Stall()]]
    ) as server:
        seq = client(server)
        events: list[StreamMessage] = []
        done = threading.Event()

        def on_event(message: StreamMessage) -> None:
            events.append(message)
            if len(events) == 3:
                done.set()

        handle = seq.stream_handle(["prices:BTC-USD", "fills"], on_event=on_event)
        with handle:
            assert done.wait(5)
        assert [e.channel for e in events] == ["prices:BTC-USD", "fills", "prices:BTC-USD"]
        assert isinstance(events[1].message, FillEvent)
        assert server.wait_until(lambda: server.open_connections == 0, timeout=3)
        assert subscribed(server.connections[1].received[0]) == {"subscribe": ["prices:BTC-USD", "fills"]}


def test_sync_iteration_form() -> None:
    with WSServer([[Send(NEW_SEED), Send(NEW_SEED), Send(NEW_SDK), Stall()]]) as server:
        seq = client(server)
        slugs = []
        for market in seq.new_markets_handle():
            slugs.append(market["slug"])
            if len(slugs) == 2:
                break
        assert slugs == ["btc-updown-5m-1", "KX-1"]
        assert server.wait_until(lambda: server.open_connections == 0, timeout=3)
