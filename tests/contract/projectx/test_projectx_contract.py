"""ProjectX REST contract: every endpoint through the public facade, replayed from its cassette.

Each test calls ``specwire.projectx`` (VCR matches method, path, query and JSON
body), validates every interaction the cassette holds against
``specs/projectx/openapi.yaml`` (request body and response), and checks the typed
result field by field — or, for the documented failures, the typed error with its
endpoint, ``errorCode`` and code name.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from specwire.core import errors as core
from specwire.projectx import (
    AccountNotFoundError,
    AccountRejectedError,
    AsyncProjectX,
    AuthenticationError,
    ContractNotFoundError,
    OrderNotFoundError,
    OrderRejectedError,
    PositionNotFoundError,
    ProjectX,
    ProjectXConfig,
    RateLimitError,
)
from specwire.projectx.errors import family
from specwire_gen.projectx.models.order_side import OrderSide
from specwire_gen.projectx.models.order_status import OrderStatus
from specwire_gen.projectx.models.order_type import OrderType
from specwire_gen.projectx.models.position_type import PositionType

from tests.contract.projectx.cassette_data import API_KEY, TOKEN, USERNAME
from tests.support.cassettes import CASSETTES, recorded
from tests.support.spec_validation import validate_request_body, validate_response

pytestmark = pytest.mark.vcr


@pytest.fixture(autouse=True)
def _cassette_is_valid(request: pytest.FixtureRequest) -> Any:
    """After each test: every interaction of its cassette fits the spec, and no secret landed in it."""
    yield
    path = Path(CASSETTES / "projectx" / f"{request.node.name}.yaml")
    text = path.read_text(encoding="utf-8")
    assert API_KEY not in text and "app-password-0000" not in text and "verify-key-0000" not in text
    for interaction in recorded(path):
        req, resp = interaction["request"], interaction["response"]
        url_path = urlsplit(req["uri"]).path
        if req.get("body"):
            validate_request_body("projectx", req["method"], url_path, json.loads(req["body"]))
        body = resp["body"]["string"]
        status = resp["status"]["code"]
        if status == 200 and url_path.endswith("Status/ping"):
            assert body == "pong"
            continue
        validate_response("projectx", req["method"], url_path, status, json.loads(body) if body else None)


@pytest.fixture
def px() -> Any:
    with ProjectX(
        api_key=API_KEY, username=USERNAME, token=TOKEN, max_retries=0, reconcile_attempts=1
    ) as client:
        yield client


def fresh() -> ProjectX:
    return ProjectX(api_key=API_KEY, username=USERNAME, max_retries=0)


# -- auth ------------------------------------------------------------------------------------------
def test_login_key_success() -> None:
    px = fresh()
    assert px.authenticate() == "REDACTED"  # the recorded token, scrubbed at write time
    assert px.session.token == "REDACTED"


def test_login_key_invalid_credentials() -> None:
    with pytest.raises(AuthenticationError) as info:
        fresh().authenticate()
    err = info.value
    assert (err.endpoint, err.error_code, err.error_name, err.error_message) == (
        "Auth/loginKey",
        3,
        "InvalidCredentials",
        None,
    )


def test_login_key_malformed_body() -> None:
    with pytest.raises(core.BadRequestError) as info:
        fresh().authenticate()
    assert isinstance(info.value, family.BadRequestError) and info.value.status_code == 400
    assert info.value.message == "One or more validation errors occurred."


def test_login_app_success() -> None:
    config = ProjectXConfig(
        username=USERNAME,
        app_password="app-password-0000",
        app_id="app-1",
        app_verify_key="verify-key-0000",
        app_device_id="device-1",
    )
    px = ProjectX(config=config, max_retries=0)
    assert px.authenticate() == "REDACTED"


def test_validate_success(px: ProjectX) -> None:
    assert px.session.renew(TOKEN) == "REDACTED"
    assert px.session.validations == 1 and px.session.logins == 0


def test_validate_expired_falls_back_to_login(px: ProjectX) -> None:
    assert px.session.renew(TOKEN) == "REDACTED"
    assert px.session.validations == 1 and px.session.logins == 1  # validate tried, then a fresh login


def test_logout_success(px: ProjectX) -> None:
    px.session.logout()
    assert px.session.token is None


def test_logout_invalid_session(px: ProjectX) -> None:
    with pytest.raises(AuthenticationError) as info:
        px.session.logout()
    assert (info.value.endpoint, info.value.error_code, info.value.error_name) == (
        "Auth/logout",
        1,
        "InvalidSession",
    )
    assert px.session.token is None  # forgotten either way


# -- accounts / contracts ----------------------------------------------------------------------------
def test_accounts_search_success(px: ProjectX) -> None:
    (account,) = px.accounts.search(only_active=True)
    assert (account.id, account.name, account.balance, account.can_trade, account.is_visible) == (
        1,
        "TEST_ACCOUNT_1",
        50000,
        True,
        True,
    )


def test_accounts_search_unauthorized_renews_and_replays(px: ProjectX) -> None:
    (account,) = px.accounts.search()
    assert account.id == 1
    assert px.session.logins == 1 and px.session.token == "REDACTED"


def test_contracts_search_success(px: ProjectX) -> None:
    (contract,) = px.contracts.search("NQ", live=False)
    assert (contract.id, contract.name, contract.description) == (
        "CON.F.US.ENQ.H25",
        "ENQH25",
        "E-mini NASDAQ-100: March 2025",
    )
    assert (contract.tick_size, contract.tick_value, contract.active_contract) == (0.25, 5, True)


def test_contract_by_id_contract_form(px: ProjectX) -> None:
    contract = px.contracts.get("CON.F.US.ENQ.H25")
    assert (contract.name, contract.active_contract, contract.symbol_id) == ("NQH5", False, "F.US.ENQ")


def test_contract_by_id_contracts_array_form(px: ProjectX) -> None:
    contract = px.contracts.get("CON.F.US.ENQ.H25")
    assert (contract.id, contract.name, contract.active_contract) == ("CON.F.US.ENQ.H25", "ENQH25", True)


def test_contract_by_id_not_found(px: ProjectX) -> None:
    with pytest.raises(ContractNotFoundError) as info:
        px.contracts.get("CON.F.US.ENQ.H25")
    assert (info.value.endpoint, info.value.error_code, info.value.error_name) == (
        "Contract/searchById",
        1,
        "ContractNotFound",
    )


def test_contracts_available_success(px: ProjectX) -> None:
    (contract,) = px.contracts.available(live=False)
    assert (contract.id, contract.name, contract.tick_value, contract.symbol_id) == (
        "CON.F.US.EP.U25",
        "ESU5",
        12.5,
        "F.US.EP",
    )


# -- history ----------------------------------------------------------------------------------------
BARS_ARGS = (
    "CON.F.US.RTY.Z24",
    datetime(2024, 12, 1, tzinfo=UTC),
    datetime(2024, 12, 31, 21, tzinfo=UTC),
    "hour",
    1,
)


def test_retrieve_bars_success(px: ProjectX) -> None:
    bars = px.history.retrieve_bars(*BARS_ARGS, limit=7)
    assert [b.t for b in bars] == [
        datetime(2024, 12, 20, 14, tzinfo=UTC),
        datetime(2024, 12, 20, 13, tzinfo=UTC),
    ]
    first = bars[0]
    assert (first.o, first.h, first.l, first.c, first.v) == (2208.1, 2217.0, 2206.7, 2210.1, 87)


def test_retrieve_bars_contract_not_found(px: ProjectX) -> None:
    with pytest.raises(ContractNotFoundError) as info:
        px.history.retrieve_bars(*BARS_ARGS, limit=7)
    assert (info.value.endpoint, info.value.error_code) == ("History/retrieveBars", 1)


# -- orders -----------------------------------------------------------------------------------------
PLACE_ARGS: dict[str, Any] = {
    "account_id": 465,
    "contract_id": "CON.F.US.DA6.M25",
    "type": "market",
    "side": "SELL",
    "size": 1,
    "custom_tag": "sw-contract-1",
    "stop_loss_bracket": 10,
    "take_profit_bracket": -20,
}


def test_place_order_success(px: ProjectX) -> None:
    placed = px.orders.place(**PLACE_ARGS)
    assert (placed.order_id, placed.custom_tag, placed.reconciled) == (9056, "sw-contract-1", False)


async def test_place_order_rejected_with_id() -> None:
    async with AsyncProjectX(api_key=API_KEY, username=USERNAME, token=TOKEN, max_retries=0) as apx:
        with pytest.raises(OrderRejectedError) as info:
            await apx.orders.place(**PLACE_ARGS)
    err = info.value
    assert (err.endpoint, err.error_code, err.error_name, err.order_id) == (
        "Order/place",
        2,
        "OrderRejected",
        9057,
    )
    assert (
        err.error_message
        == "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets."
    )


def test_place_order_rate_limited(px: ProjectX) -> None:
    with pytest.raises(RateLimitError) as info:
        px.orders.place(**PLACE_ARGS)
    assert info.value.retry_after == 5.0 and info.value.endpoint == "Order/place"


def test_modify_order_success(px: ProjectX) -> None:
    assert px.orders.modify(465, 26974, size=1, stop_price=1604) is None


def test_modify_order_not_found(px: ProjectX) -> None:
    with pytest.raises(OrderNotFoundError) as info:
        px.orders.modify(465, 26974, size=1, stop_price=1604)
    assert (info.value.endpoint, info.value.error_code, info.value.error_name) == (
        "Order/modify",
        2,
        "OrderNotFound",
    )


def test_cancel_order_success(px: ProjectX) -> None:
    assert px.orders.cancel(465, 26974) is None


def test_cancel_order_follower_account(px: ProjectX) -> None:
    with pytest.raises(AccountRejectedError) as info:
        px.orders.cancel(465, 26974)
    assert (info.value.error_code, info.value.error_message) == (6, "Follower accounts cannot cancel orders")


SEARCH_WINDOW = (
    704,
    datetime(2025, 7, 18, 21, 0, 1, 268009, tzinfo=UTC),
    datetime(2025, 7, 18, 21, 0, 1, 278009, tzinfo=UTC),
)


def assert_order_36598(order: Any) -> None:
    assert (order.id, order.account_id, order.contract_id, order.symbol_id) == (
        36598,
        704,
        "CON.F.US.EP.U25",
        "F.US.EP",
    )
    assert order.creation_timestamp == datetime(2025, 7, 18, 21, 0, 1, 268009, tzinfo=UTC)
    assert (order.status, order.type_, order.side) == (OrderStatus.FILLED, OrderType.MARKET, OrderSide.BID)
    assert (order.size, order.fill_volume, order.filled_price, order.limit_price, order.custom_tag) == (
        1,
        1,
        6335.25,
        None,
        None,
    )


def test_search_orders_success(px: ProjectX) -> None:
    (order,) = px.orders.search(*SEARCH_WINDOW)
    assert_order_36598(order)


def test_search_orders_account_not_found(px: ProjectX) -> None:
    with pytest.raises(AccountNotFoundError) as info:
        px.orders.search(*SEARCH_WINDOW)
    assert (info.value.endpoint, info.value.error_code) == ("Order/search", 1)


def test_search_open_orders_success(px: ProjectX) -> None:
    (order,) = px.orders.search_open(212)
    assert (order.id, order.status, order.type_, order.side, order.stop_price) == (
        26970,
        OrderStatus.OPEN,
        OrderType.STOP,
        OrderSide.ASK,
        5138.0,
    )


def test_search_open_orders_account_not_found(px: ProjectX) -> None:
    with pytest.raises(AccountNotFoundError) as info:
        px.orders.search_open(212)
    assert (info.value.endpoint, info.value.error_code, info.value.error_name) == (
        "Order/searchOpen",
        1,
        "AccountNotFound",
    )


def test_order_by_id_success(px: ProjectX) -> None:
    assert_order_36598(px.orders.get(704, 36598))


def test_order_by_id_not_found(px: ProjectX) -> None:
    with pytest.raises(OrderNotFoundError) as info:
        px.orders.get(704, 36598)
    assert (info.value.endpoint, info.value.error_name) == ("Order/searchById", "OrderNotFound")


def test_query_orders_success(px: ProjectX) -> None:
    orders = list(
        px.orders.query(
            704,
            statuses=["open", "suspended"],
            contract_id="CON.F.US.MNQ.U26",
            created_after=datetime(2026, 9, 1, tzinfo=UTC),
            page_size=50,
            descending=True,
        )
    )
    assert len(orders) == 1
    assert_order_36598(orders[0])


def test_query_orders_validation_error(px: ProjectX) -> None:
    with pytest.raises(core.BadRequestError) as info:
        list(px.orders.query(704, page_size=100000))
    assert (
        info.value.endpoint == "Order/v2/query"
        and info.value.message == "PageSize must be between 1 and 1000."
    )


# -- positions / trades / status --------------------------------------------------------------------
def test_search_open_positions_success(px: ProjectX) -> None:
    (position,) = px.positions.search_open(536)
    assert (position.id, position.account_id, position.contract_id) == (6124, 536, "CON.F.US.GMET.J25")
    assert (position.type_, position.size, position.average_price) == (PositionType.LONG, 2, 1575.75)
    assert position.creation_timestamp == datetime(2025, 4, 21, 19, 52, 32, 175721, tzinfo=UTC)


def test_search_open_positions_account_not_found(px: ProjectX) -> None:
    with pytest.raises(AccountNotFoundError) as info:
        px.positions.search_open(536)
    assert (info.value.endpoint, info.value.error_code) == ("Position/searchOpen", 1)


def test_close_position_success(px: ProjectX) -> None:
    assert px.positions.close(536, "CON.F.US.GMET.J25") is None


def test_close_position_not_found(px: ProjectX) -> None:
    with pytest.raises(PositionNotFoundError) as info:
        px.positions.close(536, "CON.F.US.GMET.J25")
    assert (info.value.endpoint, info.value.error_code) == ("Position/closeContract", 2)


def test_partial_close_success(px: ProjectX) -> None:
    assert px.positions.partial_close(536, "CON.F.US.GMET.J25", 1) is None


def test_partial_close_order_rejected(px: ProjectX) -> None:
    # Code 6 is OrderRejected here (it is OrderPending on closeContract): the tables differ per endpoint.
    with pytest.raises(OrderRejectedError) as info:
        px.positions.partial_close(536, "CON.F.US.GMET.J25", 1)
    assert (info.value.endpoint, info.value.error_code, info.value.error_name) == (
        "Position/partialCloseContract",
        6,
        "OrderRejected",
    )


def test_search_trades_success(px: ProjectX) -> None:
    trades = px.trades.search(
        203,
        datetime(2025, 1, 20, 15, 47, 39, 882000, tzinfo=UTC),
        datetime(2025, 1, 30, 15, 47, 39, 882000, tzinfo=UTC),
    )
    assert [(t.id, t.profit_and_loss, t.side) for t in trades] == [
        (8604, 50.0, OrderSide.ASK),
        (8603, None, OrderSide.BID),
    ]
    assert (trades[0].price, trades[0].fees, trades[0].voided, trades[0].order_id) == (
        6065.25,
        1.4,
        False,
        14328,
    )


async def test_search_trades_account_not_found() -> None:
    async with AsyncProjectX(api_key=API_KEY, username=USERNAME, token=TOKEN, max_retries=0) as apx:
        with pytest.raises(AccountNotFoundError) as info:
            await apx.trades.search(203, datetime(2025, 1, 20, 15, 47, 39, 882000, tzinfo=UTC))
    assert (info.value.endpoint, info.value.error_code) == ("Trade/search", 1)


def test_ping_success(px: ProjectX) -> None:
    assert px.status.ping() == "pong"
