"""The tsxapipy-style API: authenticate(), APIClient, OrderPlacer, OrderSide/OrderType."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from specwire.projectx import (
    AmbiguousOrderError,
    APIClient,
    ConfigurationError,
    InvalidArgumentError,
    OrderPlacer,
    ProjectXConfig,
    authenticate,
    jwt_expiry,
)
from specwire.projectx.models import OrderSide, OrderType

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway, LossyTransport, once_for

CONTRACT = "CON.F.US.EP.U25"


@pytest.fixture
def config() -> ProjectXConfig:
    return ProjectXConfig(username=USERNAME, api_key=API_KEY)


def test_authenticate_returns_token_and_aware_time(gateway: FakeGateway, config: ProjectXConfig) -> None:
    token, acquired_at = authenticate(config=config, transport=gateway.transport())
    assert token in gateway.tokens and jwt_expiry(token) is not None
    assert acquired_at.tzinfo is not None and abs((datetime.now(UTC) - acquired_at).total_seconds()) < 60


def test_authenticate_without_credentials_is_a_configuration_error(gateway: FakeGateway) -> None:
    with pytest.raises(ConfigurationError, match="missing ProjectX credentials"):
        authenticate(config=ProjectXConfig(), transport=gateway.transport())
    assert sum(gateway.calls.values()) == 0


def test_api_client_with_an_initial_token(gateway: FakeGateway, config: ProjectXConfig) -> None:
    token, acquired = authenticate(config=config, transport=gateway.transport())
    api = APIClient(
        initial_token=token, token_acquired_at=acquired, config=config, transport=gateway.transport()
    )
    accounts = api.get_accounts(only_active=True)
    assert accounts[0]["name"] == "TEST_ACCOUNT_1" and accounts[0]["balance"] == 50000.0
    assert gateway.calls["/api/Auth/loginKey"] == 1  # the given token was used, no second login
    assert api.current_token == token
    assert api.search_contracts("ENQ")[0]["id"] == "CON.F.US.ENQ.H25"
    assert api.get_contract_by_id("CON.F.US.ENQ.H25")["tickSize"] == 0.25
    assert api.search_open_positions(465)[0]["averagePrice"] == 1575.75
    assert api.search_trades(465, "2025-01-01T00:00:00Z")[0]["orderId"] == 14328


def test_api_client_reauthenticates_with_the_reauth_credentials(gateway: FakeGateway) -> None:
    api = APIClient(
        initial_token="not-a-valid-token",
        reauth_username=USERNAME,
        reauth_api_key=API_KEY,
        env_file=None,
        transport=gateway.transport(),
    )
    assert api.get_accounts()[0]["id"] == 465
    assert gateway.calls["/api/Auth/loginKey"] == 1


def test_api_client_order_methods(gateway: FakeGateway, config: ProjectXConfig) -> None:
    api = APIClient(config=config, transport=gateway.transport())
    order_id = api.place_order(
        {"accountId": 465, "contractId": CONTRACT, "type": 1, "side": 0, "size": 1, "limitPrice": 5000.0}
    )
    assert api.search_open_orders(465)[0]["id"] == order_id
    assert api.modify_order({"accountId": 465, "orderId": order_id, "limitPrice": 5001.0}) is True
    assert api.search_order_by_id(465, order_id)["limitPrice"] == 5001.0
    assert api.cancel_order(465, order_id) is True
    assert [o["id"] for o in api.search_orders(465, datetime(2020, 1, 1, tzinfo=UTC))] == [order_id]
    assert api.partial_close_contract_position(465, CONTRACT, 1) is True
    assert api.close_contract_position(465, CONTRACT) is True
    with pytest.raises(InvalidArgumentError, match="unknown order field 'price'"):
        api.place_order({"accountId": 465, "price": 1})


def test_api_client_historical_bars(config: ProjectXConfig) -> None:
    gateway = FakeGateway(bar_count=100)
    api = APIClient(config=config, transport=gateway.transport())
    bars = api.get_historical_bars(
        "CON.F.US.ENQ.H25", "2025-03-09T00:00:00Z", "2025-03-10T00:00:00Z", unit=2, unit_number=1, limit=10
    )
    assert len(bars) == 10 and bars[0]["t"] > bars[-1]["t"]  # the Gateway's order: newest first


def test_order_placer_places_each_type(gateway: FakeGateway, config: ProjectXConfig) -> None:
    placer = OrderPlacer(APIClient(config=config, transport=gateway.transport()), 465, CONTRACT)
    ids = [
        placer.place_market_order("BUY", 1),
        placer.place_limit_order(OrderSide.SELL, 2, 5000.25),
        placer.place_stop_order("sell", 1, 4990.0),
        placer.place_trailing_stop_order("SELL", 1, 4995.0),
        placer.place_bracket_order("BUY", 1, stop_loss_ticks=-10, take_profit_ticks=20),
    ]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 5
    bodies = [json.loads(r.content) for r in gateway.requests if r.url.path == "/api/Order/place"]
    assert [(b["type"], b["side"]) for b in bodies] == [(2, 0), (1, 1), (4, 1), (5, 1), (2, 0)]
    assert bodies[3]["trailPrice"] == 4995.0
    assert bodies[4]["stopLossBracket"] == {"ticks": -10, "type": int(OrderType.STOP)}
    assert bodies[4]["takeProfitBracket"] == {"ticks": 20, "type": int(OrderType.LIMIT)}
    assert placer.modify_order(ids[1], new_limit_price=5001.0) is True
    assert placer.cancel_order(ids[1]) is True
    assert placer.cancel_order(999_999) is False  # OrderNotFound -> False, as the seed returns


def test_order_placer_refuses_bad_input_before_sending(gateway: FakeGateway, config: ProjectXConfig) -> None:
    placer = OrderPlacer(APIClient(config=config, transport=gateway.transport()), 465, CONTRACT)
    with pytest.raises(InvalidArgumentError, match="stop_loss_bracket ticks must be positive"):
        placer.place_bracket_order("SELL", 1, stop_loss_ticks=-10, take_profit_ticks=-20)
    with pytest.raises(InvalidArgumentError, match="unknown side 'HOLD'"):
        placer.place_market_order("HOLD", 1)
    with pytest.raises(InvalidArgumentError, match="size must be an int >= 1"):
        placer.place_market_order("BUY", 0)
    assert gateway.calls["/api/Order/place"] == 0


def test_order_placer_returns_none_on_rejection(gateway: FakeGateway, config: ProjectXConfig) -> None:
    placer = OrderPlacer(APIClient(config=config, transport=gateway.transport()), 465, CONTRACT)
    gateway.script(
        "/api/Order/place",
        lambda r: httpx.Response(
            200, json={"orderId": None, "success": False, "errorCode": 5, "errorMessage": None}
        ),
    )
    assert placer.place_market_order("BUY", 1) is None


def test_order_placer_never_hides_an_ambiguous_order(gateway: FakeGateway, config: ProjectXConfig) -> None:
    transport = LossyTransport(gateway.transport(), once_for("/api/Order/place"))
    api = APIClient(config=config, transport=transport, reconcile_attempts=1, reconcile_delay=0.0)
    placer = OrderPlacer(api, 465, CONTRACT)
    # Found by its tag: the real id comes back.
    assert placer.place_market_order("BUY", 1) == next(iter(gateway.orders))
    transport.lose = once_for("/api/Order/place")
    gateway.script(
        "/api/Order/search",
        lambda r: httpx.Response(
            200, json={"orders": [], "success": True, "errorCode": 0, "errorMessage": None}
        ),
    )
    with pytest.raises(AmbiguousOrderError):
        placer.place_market_order("BUY", 1)
    assert len(gateway.orders) == 2 and gateway.calls["/api/Order/place"] == 2
