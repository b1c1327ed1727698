"""Every observed hub wire form (reference §6.2/§6.3) decodes to the same typed event."""

from __future__ import annotations

import msgspec
import pytest
from specwire.core.errors import StreamParseError
from specwire.projectx.streams import AccountEvent, OrderEvent, PositionEvent, UserTradeEvent
from specwire.projectx.streams.decode import MarketDecoder, UserDecoder
from specwire_gen.projectx.stream_models import DomType, GatewayUserOrder, OrderStatus

from tests.streams.projectx.conftest import ACCOUNT, EP


def raw_args(*values: object) -> list[msgspec.Raw]:
    """Arguments as the hub connection hands them over: undecoded slices of the frame."""
    record = msgspec.json.encode({"type": 1, "target": "X", "arguments": list(values)})

    class Envelope(msgspec.Struct):
        arguments: list[msgspec.Raw]

    return msgspec.json.decode(record, type=Envelope).arguments


ORDER = {"id": 789, "accountId": ACCOUNT, "contractId": EP, "status": 1, "type": 1, "side": 0, "size": 1}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((ORDER,), id="bare (docs)"),
        pytest.param(({"action": 1, "data": ORDER},), id="{action, data}"),
        pytest.param((ACCOUNT, ORDER), id="(accountId, entity)"),
        pytest.param(([ORDER],), id="list"),
        pytest.param(({"action": 1, "data": [ORDER]},), id="{action, data: [..]}"),
        pytest.param((ACCOUNT, {"action": 1, "data": ORDER}), id="(accountId, {action, data})"),
    ],
)
def test_user_order_forms_normalise_to_one_event(args: tuple[object, ...]) -> None:
    (event,) = UserDecoder().decode("GatewayUserOrder", raw_args(*args))
    assert isinstance(event, OrderEvent)
    assert event.order == msgspec.convert(ORDER, GatewayUserOrder)
    assert event.order.status is OrderStatus.OPEN
    assert event.action == (1 if "action" in str(args) else None)


def test_each_user_entity_type() -> None:
    decoder = UserDecoder()
    (acct,) = decoder.decode(
        "GatewayUserAccount", raw_args({"id": 1, "name": "A", "balance": 2.5, "canTrade": True})
    )
    assert isinstance(acct, AccountEvent) and acct.account.can_trade is True
    (pos,) = decoder.decode(
        "GatewayUserPosition", raw_args({"id": 2, "accountId": 1, "contractId": EP, "size": 0})
    )
    assert isinstance(pos, PositionEvent) and pos.position.size == 0
    trades = decoder.decode(
        "GatewayUserTrade",
        raw_args(
            [{"id": 3, "accountId": 1, "contractId": EP, "price": 1.0, "size": 1, "profitAndLoss": None}] * 2
        ),
    )
    assert [type(t) for t in trades] == [UserTradeEvent, UserTradeEvent]
    assert trades[0].trade.profit_and_loss is None  # half-turn


def test_unknown_enum_values_are_kept() -> None:
    (event,) = UserDecoder().decode("GatewayUserOrder", raw_args({**ORDER, "status": 42}))
    assert int(event.order.status) == 42
    (depth,) = MarketDecoder().depth(raw_args(EP, {"type": 99, "price": 1.0, "volume": 1}))
    assert int(depth.entries[0].type) == 99 and depth.entries[0].type is not DomType.RESET


@pytest.mark.parametrize(
    ("target", "args", "message"),
    [
        ("GatewayUserOrder", ({"id": "x"},), "GatewayUserOrder"),
        ("GatewayUserOrder", (ACCOUNT,), "no entity"),
        ("GatewayUserOrder", ("text",), "unexpected argument"),
    ],
)
def test_bad_user_payloads_raise_parse_errors(target: str, args: tuple[object, ...], message: str) -> None:
    with pytest.raises(StreamParseError, match=message):
        UserDecoder().decode(target, raw_args(*args))


def test_market_forms() -> None:
    decoder = MarketDecoder()
    (quote,) = decoder.quotes(raw_args(EP, {"symbol": "F.US.EP", "bestBid": 1.0, "bidSize": 3}))
    assert quote.contract_id == EP and quote.quote.bid_size == 3
    quotes = decoder.quotes(raw_args(EP, [{"lastPrice": 1.0}, {"lastPrice": 2.0}]))
    assert [q.quote.last_price for q in quotes] == [1.0, 2.0]
    assert len(decoder.trades(raw_args(EP, [{"price": 1, "volume": 1}] * 3))) == 3
    assert decoder.trades(raw_args(EP, {"price": 1, "volume": 1}))[0].trade.price == 1.0
    (depth,) = decoder.depth(raw_args(EP, [{"type": 6, "price": 0}, {"type": 2, "price": 5, "volume": 1}]))
    assert [e.type for e in depth.entries] == [DomType.RESET, DomType.BID]
    with pytest.raises(StreamParseError, match="contractId"):
        decoder.quotes(raw_args(1, 2, 3))
    with pytest.raises(StreamParseError, match="GatewayTrade"):
        decoder.trades(raw_args(EP, [{"price": "high"}]))


def test_single_argument_market_form_keeps_an_empty_contract_id() -> None:
    (quote,) = MarketDecoder().quotes(raw_args({"lastPrice": 3.0}))
    assert quote.contract_id == "" and quote.quote.last_price == 3.0
