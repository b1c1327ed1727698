"""Order placement: checks before sending, one customTag per call, never two orders."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from specwire.core.retry import RetryPolicy
from specwire.projectx import (
    AmbiguousOrderError,
    APIConnectionError,
    AsyncProjectX,
    Bracket,
    InvalidArgumentError,
    OrderPendingError,
    OrderRejectedError,
    OrderSide,
    OrderType,
    ProjectX,
    ServerError,
)

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway, LossyTransport, once_for

PLACE = "/api/Order/place"
ACCOUNT, CONTRACT = 465, "CON.F.US.EP.U25"


def lossy_client(
    gateway: FakeGateway, cls: type = ProjectX, **kwargs: object
) -> tuple[object, LossyTransport]:
    transport = LossyTransport(gateway.transport(), once_for(PLACE))
    client = cls(api_key=API_KEY, username=USERNAME, transport=transport, reconcile_delay=0.0, **kwargs)
    return client, transport


def place_bodies(gateway: FakeGateway) -> list[dict]:
    import json

    return [json.loads(r.content) for r in gateway.requests if r.url.path == PLACE]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"side": "sideways"}, "unknown side 'sideways'"),
        ({"type": "iceberg"}, "unknown type 'iceberg'"),
        ({"size": 0}, "size must be an int >= 1, got 0"),
        ({"size": 1.5}, "size must be an int >= 1, got 1.5"),
        ({"type": "limit"}, "limit_price is required"),
        ({"type": "stop"}, "stop_price is required"),
        ({"type": "trailing_stop"}, "trail_price is required"),
        ({"limit_price": float("nan"), "type": "limit"}, "limit_price must be a positive finite number"),
        ({"stop_loss_bracket": 10}, "stop_loss_bracket ticks must be negative"),
        ({"take_profit_bracket": -10}, "take_profit_bracket ticks must be positive"),
        ({"side": "SELL", "stop_loss_bracket": -10}, "stop_loss_bracket ticks must be positive"),
        ({"stop_loss_bracket": Bracket(-10, OrderType.LIMIT)}, "type LIMIT is rejected"),
        ({"contract_id": ""}, "contract_id must be a non-empty string"),
        ({"custom_tag": ""}, "custom_tag must be a non-empty string"),
    ],
)
def test_bad_orders_are_refused_before_sending(
    px: ProjectX, gateway: FakeGateway, kwargs: dict, message: str
) -> None:
    args = {
        "account_id": ACCOUNT,
        "contract_id": CONTRACT,
        "type": "market",
        "side": "BUY",
        "size": 1,
        **kwargs,
    }
    with pytest.raises(InvalidArgumentError, match=message):
        px.orders.place(**args)
    assert sum(gateway.calls.values()) == 0  # not even a login


def test_naive_datetimes_are_refused(px: ProjectX, gateway: FakeGateway) -> None:
    with pytest.raises(InvalidArgumentError, match="start is a naive datetime"):
        px.orders.search(ACCOUNT, datetime(2025, 1, 1))
    with pytest.raises(InvalidArgumentError, match="end is a naive datetime"):
        px.trades.search(ACCOUNT, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2))
    with pytest.raises(InvalidArgumentError, match="start is a naive datetime"):
        px.history.bars(CONTRACT, datetime(2025, 1, 1), datetime(2025, 1, 2, tzinfo=UTC), "minute", 1)
    assert sum(gateway.calls.values()) == 0


def test_side_and_type_accept_enums_names_and_numbers(px: ProjectX, gateway: FakeGateway) -> None:
    px.orders.place(ACCOUNT, CONTRACT, OrderType.LIMIT, OrderSide.SELL, 1, limit_price=5000.25)
    px.orders.place(ACCOUNT, CONTRACT, "Limit", "buy", 2, limit_price=5000)
    px.orders.place(ACCOUNT, CONTRACT, 2, 1, 1)
    sent = [(b["type"], b["side"], b["size"]) for b in place_bodies(gateway)]
    assert sent == [(1, 1, 1), (1, 0, 2), (2, 1, 1)]


def test_place_always_sends_a_custom_tag_and_omits_unset_fields(px: ProjectX, gateway: FakeGateway) -> None:
    mine = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1, custom_tag="strategy-1")
    auto = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    first, second = place_bodies(gateway)
    assert first["customTag"] == mine.custom_tag == "strategy-1"
    assert second["customTag"] == auto.custom_tag and auto.custom_tag.startswith("sw-")
    assert "limitPrice" not in first and "linkedOrderId" not in first
    assert mine.order_id != auto.order_id and not mine.reconciled


def test_brackets_are_sent_signed_with_stop_and_limit_legs(px: ProjectX, gateway: FakeGateway) -> None:
    px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1, stop_loss_bracket=-10, take_profit_bracket=20)
    px.orders.place(
        ACCOUNT, CONTRACT, "market", "SELL", 1, stop_loss_bracket={"ticks": 8}, take_profit_bracket=-16
    )
    buy, sell = place_bodies(gateway)
    assert buy["stopLossBracket"] == {"ticks": -10, "type": 4}
    assert buy["takeProfitBracket"] == {"ticks": 20, "type": 1}
    assert sell["stopLossBracket"] == {"ticks": 8, "type": 4}
    assert sell["takeProfitBracket"] == {"ticks": -16, "type": 1}


def test_rejected_order_with_an_id_is_an_error(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script(
        PLACE,
        lambda r: httpx.Response(
            200,
            json={
                "orderId": 9057,
                "success": False,
                "errorCode": 2,
                "errorMessage": "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.",
            },
        ),
    )
    with pytest.raises(OrderRejectedError) as info:
        px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1, stop_loss_bracket=-10)
    err = info.value
    assert (err.endpoint, err.error_code, err.error_name, err.order_id) == (
        "Order/place",
        2,
        "OrderRejected",
        9057,
    )
    assert "Auto OCO" in (err.error_message or "")
    assert gateway.calls["/api/Order/search"] == 0  # a definite answer needs no lookup


def test_lost_response_is_reconciled_to_the_one_real_order(gateway: FakeGateway) -> None:
    px, transport = lossy_client(gateway)
    placed = px.orders.place(ACCOUNT, CONTRACT, "limit", "BUY", 1, limit_price=5000.0)
    assert transport.lost == 1
    assert placed.reconciled and placed.order is not None
    assert len(gateway.orders) == 1
    (only,) = gateway.orders.values()
    assert placed.order_id == only["id"] and only["customTag"] == placed.custom_tag
    assert gateway.calls[PLACE] == 1  # sent exactly once, never retried


async def test_lost_response_is_reconciled_async(gateway: FakeGateway) -> None:
    apx, transport = lossy_client(gateway, AsyncProjectX)
    placed = await apx.orders.place(ACCOUNT, CONTRACT, "market", "SELL", 2)  # type: ignore[attr-defined]
    assert transport.lost == 1 and placed.reconciled
    assert len(gateway.orders) == 1 and gateway.calls[PLACE] == 1
    assert placed.order_id == next(iter(gateway.orders))


def test_lost_response_and_lost_order_raise_ambiguous_with_the_tag(gateway: FakeGateway) -> None:
    """The server took the order, but lookups cannot see it yet: the caller gets the tag, not a retry."""
    px, _ = lossy_client(gateway)
    for _ in range(3):
        gateway.script(
            "/api/Order/search",
            lambda r: httpx.Response(
                200, json={"orders": [], "success": True, "errorCode": 0, "errorMessage": None}
            ),
        )
    with pytest.raises(AmbiguousOrderError) as info:
        px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1, custom_tag="tag-42")
    assert info.value.custom_tag == "tag-42"
    assert isinstance(info.value.__cause__, APIConnectionError)
    assert gateway.calls[PLACE] == 1 and len(gateway.orders) == 1
    assert gateway.calls["/api/Order/search"] == 3


def test_server_error_after_processing_is_reconciled(px: ProjectX, gateway: FakeGateway) -> None:
    def processed_then_502(request: httpx.Request) -> httpx.Response:
        import json

        gateway._Order_place(json.loads(request.content))
        return httpx.Response(502, text="Bad Gateway")

    gateway.script(PLACE, processed_then_502)
    placed = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert placed.reconciled and len(gateway.orders) == 1 and gateway.calls[PLACE] == 1


def test_server_error_without_an_order_is_ambiguous_not_retried(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script(PLACE, lambda r: httpx.Response(503))
    with pytest.raises(AmbiguousOrderError) as info:
        px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert isinstance(info.value.__cause__, ServerError)
    assert gateway.calls[PLACE] == 1 and gateway.orders == {}


def test_pending_code_is_reconciled(px: ProjectX, gateway: FakeGateway) -> None:
    def pending(request: httpx.Request) -> httpx.Response:
        import json

        gateway._Order_place(json.loads(request.content))
        return httpx.Response(
            200, json={"orderId": None, "success": False, "errorCode": 6, "errorMessage": None}
        )

    gateway.script(PLACE, pending)
    placed = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert placed.reconciled and len(gateway.orders) == 1


def test_connect_error_means_not_sent_and_is_raised_without_lookup(gateway: FakeGateway) -> None:
    px, transport = lossy_client(gateway, max_retries=0)
    transport.lose = lambda r: False

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    gateway.script(PLACE, refuse)
    from specwire.projectx.errors import APIConnectionError as PXConnectionError

    with pytest.raises(PXConnectionError) as info:
        px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)  # type: ignore[attr-defined]
    assert not isinstance(info.value, AmbiguousOrderError)
    assert gateway.calls["/api/Order/search"] == 0 and gateway.orders == {}


def test_order_writes_are_never_retried_on_5xx(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    gateway.script("/api/Order/cancel", lambda r: httpx.Response(503))
    with pytest.raises(ServerError):
        px.orders.cancel(ACCOUNT, 1)
    gateway.script("/api/Position/closeContract", lambda r: httpx.Response(502))
    with pytest.raises(ServerError):
        px.positions.close(ACCOUNT, CONTRACT)
    assert gateway.calls["/api/Order/cancel"] == 1
    assert gateway.calls["/api/Position/closeContract"] == 1


def test_pending_modify_raises_outcome_unknown(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script(
        "/api/Order/modify",
        lambda r: httpx.Response(200, json={"success": False, "errorCode": 4, "errorMessage": None}),
    )
    with pytest.raises(OrderPendingError) as info:
        px.orders.modify(ACCOUNT, 1, size=2)
    assert info.value.error_name == "Pending"


def test_modify_needs_a_change(px: ProjectX, gateway: FakeGateway) -> None:
    with pytest.raises(InvalidArgumentError, match="at least one of"):
        px.orders.modify(ACCOUNT, 1)
    assert sum(gateway.calls.values()) == 0


def test_caller_cannot_opt_place_into_retries(px: ProjectX, gateway: FakeGateway) -> None:
    """Even inside ``request_options(idempotent=True)`` a 5xx on place is reconciled, never re-sent."""
    import json

    from specwire.core.options import request_options

    def processed_then_503(request: httpx.Request) -> httpx.Response:
        gateway._Order_place(json.loads(request.content))
        return httpx.Response(503)

    gateway.script(PLACE, processed_then_503)
    with request_options(idempotent=True, max_retries=3):
        placed = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert placed.reconciled
    assert gateway.calls[PLACE] == 1 and len(gateway.orders) == 1


def test_order_writes_behind_a_path_prefix_are_never_retried() -> None:
    """An ``api_url`` with a path (a proxy, ``https://host/gateway``) must not turn mutations into reads."""
    from specwire.projectx.transport import is_read_request
    from specwire_gen.projectx.api.order import place_order
    from specwire_gen.projectx.models.place_order_request import PlaceOrderRequest

    seen: list[str] = []

    def gateway_down(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(503)

    px = ProjectX(
        token="jwt-token",
        api_url="https://proxy.example/gateway",
        transport=httpx.MockTransport(gateway_down),
        retry_policy=RetryPolicy(sleep=lambda _s: None),
    )
    body = PlaceOrderRequest.from_dict(
        {"accountId": ACCOUNT, "contractId": CONTRACT, "type": 2, "side": 0, "size": 1, "customTag": "t-1"}
    )
    with pytest.raises(ServerError):
        place_order.sync_detailed(client=px.generated, body=body)  # the raw generated layer, no facade guard
    assert seen == ["/gateway/api/Order/place"]  # sent once, not 1 + max_retries
    for endpoint in ("Order/place", "Order/modify", "Order/cancel", "Position/closeContract"):
        request = httpx.Request("POST", f"https://proxy.example/gateway/api/{endpoint}")
        assert not is_read_request(request), endpoint
    assert is_read_request(httpx.Request("POST", "https://proxy.example/gateway/api/Order/search"))


def test_every_spec_route_is_classified_read_or_mutating() -> None:
    """A route added to the spec must be placed in one table on purpose (unknown routes are never retried)."""
    from pathlib import Path

    import yaml
    from specwire.projectx.transport import MUTATING_ENDPOINTS, READ_ENDPOINTS

    spec = yaml.safe_load((Path(__file__).parents[3] / "specs" / "projectx" / "openapi.yaml").read_text())
    routes = {path[len("/api/") :] for path in spec["paths"]}
    assert routes == READ_ENDPOINTS | MUTATING_ENDPOINTS
    assert not READ_ENDPOINTS & MUTATING_ENDPOINTS


@pytest.mark.parametrize("reply", ["<html>upstream proxy page</html>", '{"success": true, "orderId": "x"'])
def test_unreadable_success_answer_is_reconciled_not_left_ambiguous(
    px: ProjectX, gateway: FakeGateway, reply: str
) -> None:
    """HTTP 200 reached the Gateway; a body we cannot read is a lost answer: look the order up by its tag."""
    import json

    def processed_then_garbled(request: httpx.Request) -> httpx.Response:
        gateway._Order_place(json.loads(request.content))
        return httpx.Response(200, text=reply, headers={"content-type": "application/json"})

    gateway.script(PLACE, processed_then_garbled)
    placed = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert placed.reconciled and len(gateway.orders) == 1 and gateway.calls[PLACE] == 1
    assert placed.order_id == next(iter(gateway.orders))


async def test_unreadable_success_answer_is_reconciled_async(
    apx: AsyncProjectX, gateway: FakeGateway
) -> None:
    import json

    def processed_then_garbled(request: httpx.Request) -> httpx.Response:
        gateway._Order_place(json.loads(request.content))
        return httpx.Response(200, text="not json")

    gateway.script(PLACE, processed_then_garbled)
    placed = await apx.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert placed.reconciled and len(gateway.orders) == 1 and gateway.calls[PLACE] == 1


def test_place_refused_with_401_is_sent_again_once_with_the_same_tag(
    px: ProjectX, gateway: FakeGateway
) -> None:
    """A 401 is the Gateway refusing before acting: the one replay after renewal cannot make a second order."""
    px.accounts.search()  # logged in
    gateway.expire_all()  # the token dies server-side before the order
    placed = px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    bodies = place_bodies(gateway)
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the refused attempt and its replay, same customTag
    assert len(gateway.orders) == 1 and placed.order_id in gateway.orders and not placed.reconciled


def test_place_refused_twice_with_401_raises_without_a_third_send(px: ProjectX, gateway: FakeGateway) -> None:
    from specwire.projectx import AuthenticationError

    gateway.script(PLACE, lambda r: httpx.Response(401))
    gateway.script(PLACE, lambda r: httpx.Response(401))
    with pytest.raises(AuthenticationError):
        px.orders.place(ACCOUNT, CONTRACT, "market", "BUY", 1)
    assert gateway.calls[PLACE] == 2 and gateway.calls["/api/Order/search"] == 0
