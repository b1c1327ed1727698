"""run_bot end to end: REST warm-up from the fake Gateway, live trades from a loopback market hub."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from specwire.projectx.bot import BotConfig, run_bot
from specwire.projectx.client import ProjectX

from tests.support.signalr_hub import LoopbackHub, invocation
from tests.unit.projectx_data.pxdata_gateway import FakeGateway

M25 = "CON.F.US.ENQ.M25"
T0 = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)
CLOSES = [100.0, 100.0, 100.0, 110.0, 90.0, 80.0, 85.0]


def trades() -> list[dict[str, Any]]:
    out = []
    for minute, close in enumerate(CLOSES):
        for sec, price in ((5, close - 1), (30, close + 1), (55, close)):
            stamp = (T0 + timedelta(minutes=minute, seconds=sec)).isoformat()
            out.append({"symbolId": "F.US.ENQ", "price": price, "timestamp": stamp, "type": 0, "volume": 1})
    return out


async def test_bot_trades_live_bars_and_stops_on_request() -> None:
    gw = FakeGateway({M25: {"from": T0 - timedelta(days=30), "to": T0 - timedelta(days=29)}}, now=T0)
    stop = threading.Event()
    async with LoopbackHub() as hub:

        async def feed(client: Any) -> None:
            for trade in trades():
                await client.send(invocation("GatewayTrade", M25, [trade]))
            await asyncio.sleep(0.2)
            stop.set()

        def on_subscribe(client: Any, args: list[Any]) -> None:
            assert args == [M25]
            asyncio.get_running_loop().create_task(feed(client))

        hub.methods["SubscribeContractTrades"] = on_subscribe
        px = ProjectX(
            api_key="test-key",
            username="trader1",
            api_url="http://gateway.test",
            market_hub_url=hub.url,
            transport=gw.transport(),
        )
        cfg = BotConfig(contract_id=M25, account_id=704, fast=2, slow=3, dry_run=True)
        state = await asyncio.wait_for(asyncio.to_thread(run_bot, px, cfg, stop=stop, flush_every=None), 20)

    # Warm-up asked the Gateway for history; the window held no bars.
    assert [c["contractId"] for c in gw.retrieve_calls()] == [M25] and state.warmup_bars == 0
    # Six complete minutes became bars (the seventh is still open when the bot stops).
    assert state.bars_seen == 6 and state.last_close == 80.0
    # 100,100,100 -> flat averages; 110 crosses up (BUY); 90 crosses down (SELL back to flat).
    assert [(o.side, o.position_after) for o in state.orders] == [("BUY", 1), ("SELL", 0)]
    assert all(o.dry_run for o in state.orders) and gw.orders == []
    assert state.position == 0 and state.halted is None


class SlowPlacer:
    """An order placer whose calls take a while, recording whether they ran on the stream's loop."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.on_event_loop: list[bool] = []

    def place_market_order(self, side: str, size: int, contract_id: str | None = None) -> int:
        try:
            asyncio.get_running_loop()
            self.on_event_loop.append(True)
        except RuntimeError:
            self.on_event_loop.append(False)
        time.sleep(0.3)  # a slow Gateway: this must not stall the hub connection's reader
        self.calls.append((side, size))
        return len(self.calls)


async def test_live_orders_run_off_the_stream_loop_in_bar_order() -> None:
    gw = FakeGateway({M25: {"from": T0 - timedelta(days=30), "to": T0 - timedelta(days=29)}}, now=T0)
    stop = threading.Event()
    placer = SlowPlacer()
    async with LoopbackHub() as hub:

        async def feed(client: Any) -> None:
            for trade in trades():
                await client.send(invocation("GatewayTrade", M25, [trade]))
            for _ in range(200):  # until both orders went out
                if len(placer.calls) == 2:
                    break
                await asyncio.sleep(0.05)
            stop.set()

        def on_subscribe(client: Any, args: list[Any]) -> None:
            asyncio.get_running_loop().create_task(feed(client))

        hub.methods["SubscribeContractTrades"] = on_subscribe
        px = ProjectX(
            api_key="test-key",
            username="trader1",
            api_url="http://gateway.test",
            market_hub_url=hub.url,
            transport=gw.transport(),
        )
        cfg = BotConfig(contract_id=M25, account_id=704, fast=2, slow=3, dry_run=False)
        state = await asyncio.wait_for(
            asyncio.to_thread(run_bot, px, cfg, order_placer=placer, stop=stop, flush_every=None), 20
        )

    assert placer.calls == [("BUY", 1), ("SELL", 1)]
    assert placer.on_event_loop == [False, False]  # blocking order calls never run on the stream's loop
    assert [(o.side, o.position_after, o.order_id) for o in state.orders] == [("BUY", 1, 1), ("SELL", 0, 2)]
