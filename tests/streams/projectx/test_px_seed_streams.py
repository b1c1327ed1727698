"""The seed's DataStream / UserHubStream: callbacks from plain sync code, on a background loop."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from specwire.core.errors import ConfigurationError
from specwire.projectx import ProjectX
from specwire.projectx.streams import DataStream, QuoteEvent, UserHubStream

from tests.streams.projectx.conftest import ACCOUNT, EP, fast, until
from tests.support.signalr_hub import LoopbackHub


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[str, list[Any]] = {}

    def __call__(self, name: str) -> Any:
        def record(value: Any) -> None:
            with self.lock:
                self.items.setdefault(name, []).append(value)

        return record

    def get(self, name: str) -> list[Any]:
        with self.lock:
            return list(self.items.get(name, []))


async def test_data_stream_callbacks_states_and_update_token(market_hub: LoopbackHub) -> None:
    px = ProjectX(token="jwt-seed-1", market_hub_url=market_hub.url)
    rec = Recorder()
    seen_threads: set[str] = set()

    def on_quote(quote: dict[str, Any]) -> None:
        seen_threads.add(threading.current_thread().name)
        if quote.get("lastPrice") == 1.0:
            raise RuntimeError("bug in user callback")
        rec("quote")(quote)

    stream = DataStream(
        px,
        EP,
        on_quote_callback=on_quote,
        on_trade_callback=rec("trade"),
        on_depth_callback=rec("depth"),
        on_state_change_callback=rec("state"),
        on_error_callback=rec("error"),
        **fast(),
    )
    assert await asyncio.to_thread(stream.start) is True
    try:
        client = market_hub.current
        await client.wait_invoked("SubscribeContractMarketDepth")
        assert client.targets == [
            "SubscribeContractQuotes",
            "SubscribeContractTrades",
            "SubscribeContractMarketDepth",
        ]
        await client.invoke("GatewayQuote", EP, {"lastPrice": 1.0})
        await client.invoke("GatewayQuote", EP, {"bestBid": 2100.0, "bestAsk": 2100.5})
        await client.invoke("GatewayTrade", EP, [{"price": 2100.25, "volume": 2, "type": 0}])
        await client.invoke("GatewayDepth", EP, {"type": 6, "price": 0, "volume": 0})
        await until(lambda: rec.get("depth"))
        # Seed-style dicts with the Gateway's names (and the contract id).
        assert rec.get("quote") == [{"bestBid": 2100.0, "bestAsk": 2100.5, "contractId": EP}]
        assert rec.get("trade") == [{"price": 2100.25, "volume": 2.0, "type": 0, "contractId": EP}]
        assert rec.get("depth") == [[{"type": 6, "price": 0.0, "volume": 0.0, "contractId": EP}]]
        # The callback's exception was reported, and the stream went on.
        assert any(isinstance(e, RuntimeError) and "bug in user callback" in str(e) for e in rec.get("error"))
        assert all(name.endswith("-dispatch") for name in seen_threads)  # not on the socket reader's thread
        assert stream.connection_status == "connected"

        await asyncio.to_thread(stream.update_token, "jwt-seed-2")
        client2 = await market_hub.wait_connections(2)
        await client2.wait_invoked("SubscribeContractMarketDepth")
        assert market_hub.tokens_seen == ["jwt-seed-1", "jwt-seed-2"]
    finally:
        await asyncio.to_thread(stream.stop)
    states = rec.get("state")
    assert states[:2] == ["connecting", "connected"]
    assert "reconnecting" in states and states[-1] == "disconnected"


async def test_data_stream_typed_events_and_start_false_on_refusal() -> None:
    async with LoopbackHub("/hubs/market", handshake_error="Hub is shutting down") as hub:
        px = ProjectX(token="jwt", market_hub_url=hub.url)
        rec = Recorder()
        stream = DataStream(
            px, EP, on_error_callback=rec("error"), on_state_change_callback=rec("state"), **fast()
        )
        started = time.monotonic()
        assert await asyncio.to_thread(stream.start, 5.0) is False
        assert time.monotonic() - started < 4  # it did not sit out the timeout
        await asyncio.to_thread(stream.stop)
        assert any("Hub is shutting down" in str(e) for e in rec.get("error"))
        assert rec.get("state")[-1] == "error"

    async with LoopbackHub("/hubs/market") as hub:
        px = ProjectX(token="jwt", market_hub_url=hub.url)
        rec = Recorder()
        stream = DataStream(px, EP, on_quote_callback=rec("quote"), typed=True, **fast())
        assert await asyncio.to_thread(stream.start) is True
        try:
            await hub.current.wait_invoked("SubscribeContractQuotes")
            assert hub.current.targets == ["SubscribeContractQuotes"]
            await hub.current.invoke("GatewayQuote", EP, {"lastPrice": 5.5})
            await until(lambda: rec.get("quote"))
        finally:
            await asyncio.to_thread(stream.stop)
        (event,) = rec.get("quote")
        assert isinstance(event, QuoteEvent) and event.quote.last_price == 5.5


async def test_user_hub_stream_callbacks(user_hub: LoopbackHub) -> None:
    px = ProjectX(token="jwt", user_hub_url=user_hub.url)
    rec = Recorder()
    stream = UserHubStream(
        px,
        ACCOUNT,
        on_order_update=rec("order"),
        on_account_update=rec("account"),
        on_position_update=rec("position"),
        on_user_trade_update=rec("trade"),
        on_state_change_callback=rec("state"),
        **fast(),
    )
    assert await asyncio.to_thread(stream.start) is True
    try:
        client = user_hub.current
        await client.wait_invoked("SubscribeTrades")
        await client.invoke("GatewayUserAccount", {"id": ACCOUNT, "name": "A", "balance": 1.5})
        await client.invoke(
            "GatewayUserOrder",
            {"action": 0, "data": {"id": 7, "accountId": ACCOUNT, "contractId": EP, "status": 1}},
        )
        await client.invoke(
            "GatewayUserPosition", ACCOUNT, {"id": 8, "accountId": ACCOUNT, "contractId": EP, "size": 1}
        )
        await client.invoke(
            "GatewayUserTrade", [{"id": 9, "accountId": ACCOUNT, "contractId": EP, "price": 2.0, "size": 1}]
        )
        await until(lambda: rec.get("trade"))
    finally:
        await asyncio.to_thread(stream.stop)
    assert rec.get("account") == [{"id": ACCOUNT, "name": "A", "balance": 1.5}]
    assert rec.get("order") == [{"id": 7, "accountId": ACCOUNT, "contractId": EP, "status": 1}]
    assert rec.get("position") == [{"id": 8, "accountId": ACCOUNT, "contractId": EP, "size": 1}]
    assert rec.get("trade") == [{"id": 9, "accountId": ACCOUNT, "contractId": EP, "price": 2.0, "size": 1}]
    assert rec.get("state")[:2] == ["connecting", "connected"]


def test_seed_constructors_validate_before_connecting() -> None:
    px = ProjectX(token="jwt")
    with pytest.raises(ConfigurationError, match="''"):
        DataStream(px, "")
    with pytest.raises(ConfigurationError, match="-5"):
        UserHubStream(px, -5)
    with pytest.raises(ConfigurationError, match="token session"):
        DataStream(object(), EP)
    assert DataStream(px, EP).hub_url == "https://rtc.topstepx.com/hubs/market"


async def test_slow_callback_fills_the_bounded_queues_then_pauses_the_reader_losing_nothing(
    market_hub: LoopbackHub,
) -> None:
    px = ProjectX(token="jwt", market_hub_url=market_hub.url)
    got: list[float] = []

    def slow(quote: dict[str, Any]) -> None:
        time.sleep(0.03)
        got.append(quote["lastPrice"])

    # Two bounded queues of 2 (callback dispatch, and the stream's own buffer); the slow callback
    # needs ~0.6 s, longer than the server timeout: a paused reader must not look like a dead server.
    stream = DataStream(px, EP, on_quote_callback=slow, queue_size=2, **fast(server_timeout=0.3))
    assert await asyncio.to_thread(stream.start) is True
    try:
        await market_hub.current.wait_invoked("SubscribeContractQuotes")
        for i in range(20):
            await market_hub.current.invoke("GatewayQuote", EP, {"lastPrice": float(i)})
        await until(lambda: len(got) == 20)
        assert stream.stream is not None and stream.stream.connection.connect_count == 1
    finally:
        await asyncio.to_thread(stream.stop)
    assert got == [float(i) for i in range(20)]
