"""Resources return typed models, identically from the sync and async facades."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from specwire.projectx import (
    AccountNotFoundError,
    AsyncProjectX,
    ContractNotFoundError,
    InvalidRequestError,
    OrderNotFoundError,
    OrderStatus,
    ProjectX,
)
from specwire_gen.projectx.models.position_type import PositionType

from tests.unit.projectx.px_fake_gateway import API_KEY, CONTRACTS, OK, USERNAME, FakeGateway

ACCOUNT = 465
NQ = "CON.F.US.ENQ.H25"


def test_accounts_contracts_positions_trades(px: ProjectX, gateway: FakeGateway) -> None:
    (account,) = px.accounts.search(only_active=True)
    assert (account.id, account.name, account.balance, account.simulated) == (
        465,
        "TEST_ACCOUNT_1",
        50000.0,
        True,
    )
    assert json.loads(gateway.requests[-1].content) == {"onlyActiveAccounts": True}
    (contract,) = px.contracts.search("ENQ", live=False)
    assert (contract.id, contract.tick_size, contract.tick_value) == (NQ, 0.25, 5)
    assert len(px.contracts.available()) == len(CONTRACTS)
    (position,) = px.positions.search_open(ACCOUNT)
    assert position.type_ is PositionType.LONG and position.size == 2
    assert position.creation_timestamp.tzinfo is not None
    (trade,) = px.trades.search(ACCOUNT, datetime(2025, 1, 1, tzinfo=UTC))
    assert trade.profit_and_loss == 50.0 and trade.order_id == 14328
    assert px.status.ping() == "pong"


async def test_async_twin_gives_the_same_results(gateway: FakeGateway, px: ProjectX) -> None:
    async with AsyncProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport()) as apx:
        assert await apx.accounts.search() == px.accounts.search()
        assert await apx.contracts.get(NQ) == px.contracts.get(NQ)
        assert await apx.positions.search_open(ACCOUNT) == px.positions.search_open(ACCOUNT)
        assert await apx.status.ping() == px.status.ping()
        start = datetime(2025, 1, 1, tzinfo=UTC)
        assert await apx.trades.search(ACCOUNT, start) == px.trades.search(ACCOUNT, start)


def test_sync_and_async_resources_have_the_same_methods() -> None:
    import inspect

    from specwire.projectx import async_client, client

    for name in ("Accounts", "Contracts", "History", "Orders", "Positions", "Trades", "Status"):
        sync_cls, async_cls = getattr(client, name), getattr(async_client, f"Async{name}")
        public = {n for n in vars(sync_cls) if not n.startswith("_")}
        assert public == {n for n in vars(async_cls) if not n.startswith("_")}, name
        for method in public:
            assert (
                inspect.signature(getattr(sync_cls, method)).parameters.keys()
                == inspect.signature(getattr(async_cls, method)).parameters.keys()
            ), f"{name}.{method}"


def test_contract_get_accepts_the_contracts_array_form(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script(
        "/api/Contract/searchById", lambda r: httpx.Response(200, json={"contracts": [CONTRACTS[NQ]], **OK})
    )
    assert px.contracts.get(NQ).name == "ENQH25"


def test_contract_not_found(px: ProjectX) -> None:
    with pytest.raises(ContractNotFoundError) as info:
        px.contracts.get("CON.F.US.XXX.Z99")
    assert (info.value.endpoint, info.value.error_code, info.value.error_name) == (
        "Contract/searchById",
        1,
        "ContractNotFound",
    )


def test_history_pages_past_20000_bars_oldest_first() -> None:
    gateway = FakeGateway(bar_count=45_000)
    px = ProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport())
    start = gateway.bars_end - timedelta(days=60)
    bars = px.history.bars(NQ, start, gateway.bars_end, "minute", 1)
    assert len(bars) == 45_000
    assert gateway.calls["/api/History/retrieveBars"] == 3
    times = [b.t for b in bars]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert times[0] == gateway.bars_end - timedelta(minutes=45_000)
    assert times[-1] == gateway.bars_end - timedelta(minutes=1)
    sent = [json.loads(r.content) for r in gateway.requests if r.url.path.endswith("retrieveBars")]
    assert all(s["limit"] == 20_000 and s["unit"] == 2 and s["unitNumber"] == 1 for s in sent)
    # Each page ends where the previous one's earliest bar was.
    assert sent[1]["endTime"] == bars[45_000 - 20_000].t.isoformat()


async def test_async_history_pages_the_same_way() -> None:
    gateway = FakeGateway(bar_count=2_500)
    async with AsyncProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport()) as apx:
        bars = await apx.history.bars(
            NQ, gateway.bars_end - timedelta(days=5), gateway.bars_end, 2, 1, page_size=1000
        )
    assert len(bars) == 2_500 and bars[0].t < bars[-1].t
    assert gateway.calls["/api/History/retrieveBars"] == 3


def test_history_errors_are_typed(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script(
        "/api/History/retrieveBars",
        lambda r: httpx.Response(
            200, json={"bars": None, "success": False, "errorCode": 2, "errorMessage": None}
        ),
    )
    with pytest.raises(InvalidRequestError) as info:
        px.history.bars(NQ, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC), "hour", 1)
    assert info.value.error_name == "UnitInvalid"


def test_orders_lifecycle_and_lookup(px: ProjectX, gateway: FakeGateway) -> None:
    placed = px.orders.place(ACCOUNT, NQ, "limit", "BUY", 1, limit_price=21000.25)
    assert [o.id for o in px.orders.search_open(ACCOUNT)] == [placed.order_id]
    px.orders.modify(ACCOUNT, placed.order_id, limit_price=21001.0)
    assert px.orders.get(ACCOUNT, placed.order_id).limit_price == 21001.0
    px.orders.cancel(ACCOUNT, placed.order_id)
    assert px.orders.get(ACCOUNT, placed.order_id).status == OrderStatus.CANCELLED
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert px.orders.find_by_tag(ACCOUNT, placed.custom_tag, since).id == placed.order_id  # type: ignore[union-attr]
    with pytest.raises(OrderNotFoundError):
        px.orders.cancel(ACCOUNT, 123)


def test_query_iterates_every_page(px: ProjectX, gateway: FakeGateway) -> None:
    ids = [px.orders.place(ACCOUNT, NQ, "market", "BUY", 1).order_id for _ in range(5)]
    got = list(px.orders.query(ACCOUNT, statuses=["filled"], page_size=2))
    assert [o.id for o in got] == ids
    queries = [json.loads(r.content) for r in gateway.requests if r.url.path.endswith("v2/query")]
    assert [q["pageOffset"] for q in queries] == [0, 2, 4]
    assert queries[0]["filter"] == {"accountId": ACCOUNT, "statuses": [2]}


async def test_async_query_iterates_every_page(gateway: FakeGateway) -> None:
    async with AsyncProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport()) as apx:
        ids = [(await apx.orders.place(ACCOUNT, NQ, "market", "SELL", 1)).order_id for _ in range(3)]
        got = [o.id async for o in apx.orders.query(ACCOUNT, page_size=2, descending=True)]
    assert got == list(reversed(ids))


def test_query_refuses_bad_filters_before_sending(px: ProjectX, gateway: FakeGateway) -> None:
    from specwire.projectx import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="unknown order status 'sleeping'"):
        px.orders.query(ACCOUNT, statuses=["sleeping"])
    assert sum(gateway.calls.values()) == 0


def test_positions_close_and_partial_close(px: ProjectX, gateway: FakeGateway) -> None:
    px.positions.partial_close(ACCOUNT, "CON.F.US.EP.U25", 1)
    assert gateway.positions[0]["size"] == 1
    px.positions.close(ACCOUNT, "CON.F.US.EP.U25")
    assert gateway.positions == []


def test_account_not_found_is_typed(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script(
        "/api/Position/searchOpen",
        lambda r: httpx.Response(
            200, json={"positions": None, "success": False, "errorCode": 1, "errorMessage": None}
        ),
    )
    with pytest.raises(AccountNotFoundError):
        px.positions.search_open(999)


def test_malformed_payload_is_an_error_not_a_dict(px: ProjectX, gateway: FakeGateway) -> None:
    from specwire.projectx import ProjectXAPIError

    gateway.script(
        "/api/Account/search", lambda r: httpx.Response(200, json={"accounts": [{"id": "x"}], **OK})
    )
    with pytest.raises(ProjectXAPIError, match="does not match the spec"):
        px.accounts.search()
