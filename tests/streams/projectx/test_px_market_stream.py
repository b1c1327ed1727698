"""MarketStream against a loopback market hub replaying the frame cassettes."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import httpx
import pytest
from msgspec import UNSET
from specwire.core.errors import ConfigurationError, StreamError, StreamParseError
from specwire.projectx import ProjectX
from specwire.projectx.streams import (
    DepthEvent,
    MarketStream,
    OrderBook,
    QuoteEvent,
    TradeEvent,
)
from specwire.streaming.state import ConnectionState
from specwire_gen.projectx.stream_models import DomType, GatewayQuote, TradeLogType

from tests.streams.projectx.conftest import EP, MNQ, AuthServer, fast, frames, until
from tests.support.signalr_hub import SERVER_LOGGER, LoopbackHub


async def collect(stream: MarketStream, count: int, timeout: float = 5.0) -> list[Any]:
    out: list[Any] = []
    async with asyncio.timeout(timeout):
        async for event in stream:
            out.append(event)
            if len(out) == count:
                break
    return out


async def test_replayed_session_normalises_every_wire_form_and_restores_subscriptions(
    market_hub: LoopbackHub,
) -> None:
    errors: list[BaseException] = []
    async with MarketStream(market_hub.url, token="jwt-1", on_error=errors.append, **fast()) as stream:
        await stream.subscribe_quotes(EP, MNQ)
        await stream.subscribe_trades(EP, MNQ)
        await stream.subscribe_depth(EP, MNQ)
        player = asyncio.create_task(market_hub.play(frames("market_session.jsonl")))
        events = await collect(stream, 9)
        await player

        q_ep, q_mnq, t1, t2, t3, d1, d2, q_split, d3 = events
        assert isinstance(q_ep, QuoteEvent) and q_ep.contract_id == EP
        assert q_ep.quote == GatewayQuote(
            symbol="F.US.EP",
            symbol_name="/ES",
            last_price=2100.25,
            best_bid=2100.0,
            best_ask=2100.5,
            change=25.5,
            change_percent=0.14,
            open=2090.0,
            high=2110.0,
            low=2080.0,
            volume=12000,
            last_updated="2024-07-21T13:45:00Z",
            timestamp="2024-07-21T13:45:00Z",
        )
        assert isinstance(q_mnq, QuoteEvent) and q_mnq.contract_id == MNQ
        assert q_mnq.quote.best_bid == 19850.25 and q_mnq.quote.last_price is UNSET  # partial update
        # The batched array gives one event per print; the single object too.
        assert [(type(e), e.contract_id, e.trade.price, e.trade.type) for e in (t1, t2, t3)] == [
            (TradeEvent, EP, 2100.25, TradeLogType.BUY),
            (TradeEvent, EP, 2100.5, TradeLogType.SELL),
            (TradeEvent, MNQ, 19850.5, TradeLogType.BUY),
        ]
        assert isinstance(d1, DepthEvent) and [e.type for e in d1.entries] == [
            DomType.RESET,
            DomType.BID,
            DomType.BID,
            DomType.ASK,
            DomType.ASK,
        ]
        assert isinstance(d2, DepthEvent) and d2.entries[0].type is DomType.TRADE
        # A record split across a text and a binary frame arrives whole.
        assert isinstance(q_split, QuoteEvent) and q_split.quote.last_price == 2100.75
        book = OrderBook(EP)
        for event in (d1, d2, d3):
            book.apply(event)
        assert book.best_bid == (2100.25, 4) and book.best_ask == (2100.5, 12)
        assert book.last_trade is not None and book.last_trade.price == 2100.5

        # Two malformed records were reported and skipped, the stream went on.
        parse_errors = [e for e in errors if isinstance(e, StreamParseError)]
        assert len(parse_errors) == 2
        assert "GatewayQuote" in str(parse_errors[0]) and "not-a-number" in str(parse_errors[0])

        # Drop the socket mid-record: every subscription is invoked again, data flows again.
        await market_hub.current.drop_mid_frame()
        player = asyncio.create_task(market_hub.play(frames("market_after_drop.jsonl")))
        (after,) = await collect(stream, 1)
        await player
        assert (
            isinstance(after, QuoteEvent) and after.contract_id == MNQ and after.quote.last_price == 19851.0
        )
        second = market_hub.clients[1]
        assert sorted((t, tuple(a)) for t, a, _ in second.invocations) == sorted(
            (method, (cid,))
            for method in (
                "SubscribeContractQuotes",
                "SubscribeContractTrades",
                "SubscribeContractMarketDepth",
            )
            for cid in (EP, MNQ)
        )
        assert stream.subscriptions == {"quotes": [EP, MNQ], "trades": [EP, MNQ], "depth": [EP, MNQ]}


async def test_subscriptions_restored_after_every_one_of_several_drops(market_hub: LoopbackHub) -> None:
    async with MarketStream(market_hub.url, token="jwt-1", **fast()) as stream:
        await stream.subscribe_quotes(EP)
        await stream.subscribe_depth(MNQ)
        await stream.unsubscribe_quotes(EP)
        await stream.subscribe_quotes(MNQ)
        for n in range(2, 5):
            market_hub.current.drop()
            client = await market_hub.wait_connections(n)
            await client.wait_invoked("SubscribeContractQuotes")
            assert [(t, a) for t, a, _ in client.invocations] == [
                ("SubscribeContractMarketDepth", [MNQ]),
                ("SubscribeContractQuotes", [MNQ]),
            ]
            await client.invoke("GatewayQuote", MNQ, {"lastPrice": float(n)})
            (event,) = await collect(stream, 1)
            assert event.quote.last_price == float(n)
        assert market_hub.clients[0].targets[-1] == "SubscribeContractQuotes"
        assert "UnsubscribeContractQuotes" in market_hub.clients[0].targets


async def test_session_token_rejected_then_renewed_and_renewals_used_on_next_connect(
    market_hub: LoopbackHub, caplog: pytest.LogCaptureFixture
) -> None:
    auth = AuthServer()
    px = ProjectX(
        api_key="key-secret-value",
        username="trader1",
        transport=httpx.MockTransport(auth),
        market_hub_url=market_hub.url,
    )
    market_hub.expired_tokens = {"tok-1"}
    caplog.set_level(logging.DEBUG)
    states: list[ConnectionState] = []
    stream = px.market_stream(on_state_change=lambda c: states.append(c.new), **fast())
    async with stream:
        # tok-1 (from login) was refused with 401; the session validated it into tok-2.
        assert market_hub.rejected_tokens == ["tok-1"]
        assert market_hub.tokens_seen == ["tok-2"]
        await stream.subscribe_quotes(EP)
        # The REST side renews while the hub stays connected (no reconnect needed now)...
        await asyncio.to_thread(px.session.renew, "tok-2")
        assert px.session.token == "tok-3"
        assert len(market_hub.clients) == 1
        # ... and the next connect uses the renewed token, without any update_token call.
        market_hub.current.drop()
        client = await market_hub.wait_connections(2)
        await client.wait_invoked("SubscribeContractQuotes")
        assert market_hub.tokens_seen == ["tok-2", "tok-3"]
        assert auth.validated == ["Bearer tok-1", "Bearer tok-2"]
    assert states[0] is ConnectionState.CONNECTING and states[-1] is ConnectionState.DISCONNECTED
    sdk_logs = "\n".join(r.getMessage() for r in caplog.records if r.name != SERVER_LOGGER)
    assert "access_token=***" in sdk_logs  # websockets' request line went through the scrubbing
    for secret in ("tok-1", "tok-2", "tok-3", "key-secret-value"):
        assert secret not in sdk_logs
        assert secret not in repr(stream)


async def test_update_token_reconnects_with_the_given_token(market_hub: LoopbackHub) -> None:
    async with MarketStream(market_hub.url, token="jwt-1", **fast()) as stream:
        await stream.subscribe_trades(EP)
        stream.update_token("jwt-manual")
        await stream.reconnect()
        client = await market_hub.wait_connections(2)
        await client.wait_invoked("SubscribeContractTrades")
    assert market_hub.tokens_seen == ["jwt-1", "jwt-manual"]


async def test_full_queue_blocks_the_reader_without_losing_events(market_hub: LoopbackHub) -> None:
    async with MarketStream(market_hub.url, token="t", queue_size=4, **fast(server_timeout=0.2)) as stream:
        await stream.subscribe_quotes(EP)
        for i in range(40):
            await market_hub.current.invoke("GatewayQuote", EP, {"lastPrice": float(i)})
        # Nobody reads: the buffer holds at most a frame beyond its bound and the reader waits.
        await until(lambda: stream.connection._paused)
        await asyncio.sleep(0.4)  # longer than server_timeout: a paused reader is not a dead server
        assert len(stream._buffer) <= 5
        assert stream.connection.connect_count == 1
        events = await collect(stream, 40)
    assert [e.quote.last_price for e in events] == [float(i) for i in range(40)]
    assert stream.dropped == 0


async def test_drop_oldest_keeps_latest_and_reports_the_drops(market_hub: LoopbackHub) -> None:
    errors: list[BaseException] = []
    async with MarketStream(
        market_hub.url, token="t", queue_size=5, overflow="drop_oldest", on_error=errors.append, **fast()
    ) as stream:
        await stream.subscribe_quotes(EP)
        await market_hub.current.send(
            *[
                {"type": 1, "target": "GatewayQuote", "arguments": [EP, {"lastPrice": float(i)}]}
                for i in range(50)
            ]
        )
        await market_hub.current.invoke("GatewayQuote", EP, {"lastPrice": 99.0})
        await until(lambda: stream.dropped == 46)
        events = await collect(stream, 5)
    assert [e.quote.last_price for e in events] == [46.0, 47.0, 48.0, 49.0, 99.0]
    assert any("queue full" in str(e) for e in errors)


async def test_stale_feed_forces_a_reconnect(market_hub: LoopbackHub) -> None:
    market_hub.keepalive_interval = 0.02  # pings keep coming: only the data is frozen
    errors: list[BaseException] = []
    async with MarketStream(
        market_hub.url, token="t", stale_after=0.2, on_error=errors.append, **fast()
    ) as stream:
        await stream.subscribe_quotes(EP)
        client = await market_hub.wait_connections(2, timeout=3)
        await client.wait_invoked("SubscribeContractQuotes")
    assert any(isinstance(e, StreamError) and "stale" in str(e) for e in errors)


async def test_bad_arguments_rejected_before_anything_is_sent(market_hub: LoopbackHub) -> None:
    async with MarketStream(market_hub.url, token="t", **fast()) as stream:
        with pytest.raises(ConfigurationError, match=re.escape("' CON.F.US.EP.U25'")):
            await stream.subscribe_quotes(" CON.F.US.EP.U25")
        with pytest.raises(ConfigurationError, match="42"):
            await stream.subscribe_depth(42)  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="at least one"):
            await stream.subscribe_trades()
    assert market_hub.clients[0].invocations == []
    with pytest.raises(ConfigurationError, match="stale_after"):
        MarketStream(market_hub.url, token="t", stale_after=0)
    with pytest.raises(ConfigurationError, match="overflow"):
        MarketStream(market_hub.url, token="t", overflow="newest")  # type: ignore[arg-type]


async def test_server_closing_for_good_ends_the_iteration_with_the_reason(market_hub: LoopbackHub) -> None:
    stream = MarketStream(market_hub.url, token="t", **fast())
    await stream.start()
    await stream.subscribe_quotes(EP)
    await market_hub.current.invoke("GatewayQuote", EP, {"lastPrice": 1.0})
    await market_hub.close_all("Session ended", allow_reconnect=False)
    got: list[Any] = []
    with pytest.raises(StreamError, match="Session ended"):
        async for event in stream:
            got.append(event)
    assert [e.quote.last_price for e in got] == [1.0]  # what arrived before the close is delivered first
    assert stream.state is ConnectionState.DISCONNECTED
    await stream.stop()
