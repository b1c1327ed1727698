"""UserStream: every wire form, de-duplication, and REST reconciliation across a drop (VCR cassette)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec
import pytest
from specwire.core.errors import ConfigurationError
from specwire.projectx import ProjectX
from specwire.projectx.streams import (
    AccountEvent,
    OrderEvent,
    PositionEvent,
    UserStream,
    UserTradeEvent,
)
from specwire_gen.projectx.stream_models import OrderStatus, PositionType

from tests.streams.projectx import rest_cassettes
from tests.streams.projectx.conftest import ACCOUNT, EP, MNQ, fast, frames, until
from tests.support.cassettes import make_vcr, recorded, vcr_config
from tests.support.signalr_hub import LoopbackHub

PINNED_DISCONNECT = dt.datetime.fromisoformat(rest_cassettes.DISCONNECTED_AT)


def summary(event: Any) -> tuple[Any, ...]:
    """What a consumer's view cares about, per event."""
    match event:
        case OrderEvent(order=o, replayed=r):
            return ("order", o.id, int(o.status), r)
        case PositionEvent(position=p, replayed=r):
            return ("position", p.contract_id, p.size, r)
        case UserTradeEvent(trade=t, replayed=r):
            return ("trade", t.id, r)
        case AccountEvent(account=a, replayed=r):
            return ("account", a.id, a.balance, r)
    raise AssertionError(f"unexpected event {event!r}")


async def drain(stream: UserStream, idle: float = 0.3) -> list[Any]:
    out: list[Any] = []
    while True:
        try:
            async with asyncio.timeout(idle):
                out.append(await anext(stream))
        except TimeoutError:
            return out


async def test_no_event_lost_or_duplicated_across_a_drop(user_hub: LoopbackHub) -> None:
    px = ProjectX(token="jwt-user-token", user_hub_url=user_hub.url)
    stream = px.user_stream(clock=lambda: PINNED_DISCONNECT, reconcile_slack=600, **fast())
    cassette = make_vcr(**vcr_config()).use_cassette(str(rest_cassettes.PATH), record_mode="none")
    with cassette as vcr_cassette:
        async with stream:
            await stream.subscribe_account(ACCOUNT)
            await user_hub.play(frames("user_before_drop.jsonl"))
            await user_hub.play(frames("user_after_drop.jsonl"))
            await until(lambda: stream.reconciliations == 1)
            events = await drain(stream)
        assert vcr_cassette.all_played  # every REST answer of the cassette was asked for
    view = [summary(e) for e in events]
    before = [
        ("order", 789, OrderStatus.OPEN, False),  # {action, data} form
        ("position", EP, 2, False),  # (accountId, entity) form
        ("position", MNQ, 1, False),  # list form
        ("trade", 101112, False),  # bare form
        ("account", ACCOUNT, 10000.5, False),  # sent twice, delivered once
    ]
    assert view[:5] == before
    after = view[5:]
    # 101113 came live and from REST: exactly once, whichever was first.
    assert [s for s in after if s[:2] == ("trade", 101113)] in (
        [("trade", 101113, False)],
        [("trade", 101113, True)],
    )
    assert sorted(s for s in after if s[:2] != ("trade", 101113)) == sorted(
        [
            ("order", 790, OrderStatus.OPEN, True),  # placed while away
            ("order", 789, OrderStatus.FILLED, True),  # filled while away
            ("order", 791, OrderStatus.FILLED, True),  # placed and filled while away
            ("position", EP, 3, True),  # grew while away
            ("position", MNQ, 0, True),  # closed while away
            ("trade", 101114, True),  # missed fill
        ]
    )
    assert len(view) == len(set(view))
    # The final view is complete: what a consumer built from the events equals the truth.
    orders = {e.order.id: e.order for e in events if isinstance(e, OrderEvent)}
    assert {i: int(o.status) for i, o in orders.items()} == {
        789: OrderStatus.FILLED,
        790: OrderStatus.OPEN,
        791: OrderStatus.FILLED,
    }
    positions = {e.position.contract_id: e.position for e in events if isinstance(e, PositionEvent)}
    assert {c: p.size for c, p in positions.items()} == {EP: 3, MNQ: 0}
    assert positions[EP].type is PositionType.LONG and positions[EP].average_price == 2100.333333333
    trades = sorted(e.trade.id for e in events if isinstance(e, UserTradeEvent))
    assert trades == [101112, 101113, 101114]
    # Every subscription was restored on the second connection.
    assert [(t, a) for t, a, _ in user_hub.clients[1].invocations] == [
        ("SubscribeAccounts", []),
        ("SubscribeOrders", [ACCOUNT]),
        ("SubscribePositions", [ACCOUNT]),
        ("SubscribeTrades", [ACCOUNT]),
    ]
    # The trades were asked for from the disconnect time minus the slack.
    bodies = [i["request"]["body"] for i in recorded(rest_cassettes.PATH)]
    assert any(rest_cassettes.TRADES_SINCE in str(b) for b in bodies)


async def test_reconciliation_failure_is_reported_and_the_stream_goes_on(user_hub: LoopbackHub) -> None:
    class BrokenRest:
        class orders:
            @staticmethod
            async def search_open(account_id: int) -> list[Any]:
                raise RuntimeError("REST is down")

        class positions:
            @staticmethod
            async def search_open(account_id: int) -> list[Any]:
                return []

        class trades:
            @staticmethod
            async def search(account_id: int, start: dt.datetime) -> list[Any]:
                return []

    errors: list[BaseException] = []
    async with UserStream(
        user_hub.url, token="t", rest=BrokenRest(), on_error=errors.append, **fast()
    ) as stream:
        await stream.subscribe_orders(ACCOUNT)
        user_hub.current.drop()
        client = await user_hub.wait_connections(2)
        await client.wait_invoked("SubscribeOrders")
        await until(lambda: any("REST is down" in str(e) for e in errors))
        order = {"id": 1, "accountId": ACCOUNT, "contractId": EP, "status": 1}
        await client.invoke("GatewayUserOrder", order)
        event = await asyncio.wait_for(anext(stream), 2)
    assert isinstance(event, OrderEvent) and event.order.id == 1


async def test_user_hub_subscription_arguments_and_validation(user_hub: LoopbackHub) -> None:
    async with UserStream(user_hub.url, token="t", **fast()) as stream:
        await stream.subscribe_accounts()
        await stream.subscribe_positions(ACCOUNT)
        await stream.unsubscribe_positions(ACCOUNT)
        with pytest.raises(ConfigurationError, match="'123'"):
            await stream.subscribe_orders("123")  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="True"):
            await stream.subscribe_trades(True)
        await user_hub.current.wait_invoked("UnsubscribePositions")
    assert [(t, a) for t, a, _ in user_hub.clients[0].invocations] == [
        ("SubscribeAccounts", []),  # no argument: passing one fails on the Gateway
        ("SubscribePositions", [ACCOUNT]),
        ("UnsubscribePositions", [ACCOUNT]),
    ]
    with pytest.raises(ConfigurationError, match="reconcile_slack"):
        UserStream(user_hub.url, token="t", reconcile_slack=-1)


async def test_live_duplicates_are_not_emitted_but_changes_are(user_hub: LoopbackHub) -> None:
    order = {"id": 5, "accountId": ACCOUNT, "contractId": EP, "status": 1, "fillVolume": 0}
    filled = {**order, "status": 2, "fillVolume": 1}
    trade = {"id": 9, "accountId": ACCOUNT, "contractId": EP, "price": 1.0, "size": 1, "orderId": 5}
    async with UserStream(user_hub.url, token="t", **fast()) as stream:
        await stream.subscribe_orders(ACCOUNT)
        client = user_hub.current
        await client.invoke("GatewayUserOrder", order)
        await client.invoke("GatewayUserOrder", {"action": 1, "data": order})  # same state, other form
        await client.invoke("GatewayUserTrade", [trade, trade])
        await client.invoke("GatewayUserOrder", ACCOUNT, filled)
        events = await drain(stream, 0.2)
    assert [summary(e) for e in events] == [
        ("order", 5, OrderStatus.OPEN, False),
        ("trade", 9, False),
        ("order", 5, OrderStatus.FILLED, False),
    ]
    assert msgspec.to_builtins(events[-1].order)["fillVolume"] == 1


async def test_trades_missed_while_the_hub_was_silently_dead_are_reconciled(user_hub: LoopbackHub) -> None:
    """A half-open socket is only noticed after ``server_timeout`` of silence: reconciliation must reach
    back to the last frame heard, not to the moment the silence was noticed, or fills of that gap are lost."""
    asked: list[dt.datetime] = []
    real_clock = dt.datetime.now  # the stream's default clock; the test only reads it

    class Rest:
        class orders:
            @staticmethod
            async def search_open(account_id: int) -> list[Any]:
                return []

        class positions:
            @staticmethod
            async def search_open(account_id: int) -> list[Any]:
                return []

        class trades:
            @staticmethod
            async def search(account_id: int, start: dt.datetime) -> list[Any]:
                asked.append(start)
                return []

    async with UserStream(
        user_hub.url, token="t", rest=Rest(), reconcile_slack=0, **fast(server_timeout=1.0)
    ) as stream:
        await stream.subscribe_trades(ACCOUNT)
        trade = {"id": 1, "accountId": ACCOUNT, "contractId": EP, "price": 1.0, "size": 1, "side": 0}
        await user_hub.current.invoke("GatewayUserTrade", trade)
        assert isinstance(await asyncio.wait_for(anext(stream), 2), UserTradeEvent)
        last_heard = real_clock(dt.UTC)  # the hub goes silent (half-open TCP): a fill now would be lost
        user_hub.stalled = True
        await user_hub.wait_connections(2)
        user_hub.stalled = False
        await until(lambda: stream.reconciliations == 1)
    assert len(asked) == 1
    assert asked[0] <= last_heard, f"trades asked from {asked[0]}, the hub was last heard at {last_heard}"
