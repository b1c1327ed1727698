"""The REST side of the user-stream reconnect test, written as a vcrpy cassette.

Shapes and values follow reference §3.9-§3.16 (responses use ``+00:00`` offsets
and 9-digit prices like the documented samples); the story continues the frame
cassettes ``user_before_drop.jsonl`` / ``user_after_drop.jsonl``: while the hub
socket was down, order 789 filled, order 790 was placed, order 791 was placed and
filled (fill 101114), the EP position grew to 3, the MNQ position was closed, and
fills 101113 and 101114 happened.

Regenerate with ``.venv/bin/python -m tests.streams.projectx.rest_cassettes``.
"""

from __future__ import annotations

from typing import Any

from tests.support.cassettes import CASSETTES, Interaction, write_cassette

API = "https://api.topstepx.com/api"
ACCOUNT = 123
EP = "CON.F.US.EP.U25"
#: ``UserStream(clock=...)`` pins the disconnect time; minus ``reconcile_slack`` = 600 s.
DISCONNECTED_AT = "2024-07-21T13:50:00+00:00"
TRADES_SINCE = "2024-07-21T13:40:00+00:00"
#: The earlier of TRADES_SINCE and the creation time of the order that stopped working (789), minus one
#: second: orders placed *and* finished while away (791) are only found by this search.
ORDERS_SINCE = "2024-07-21T13:39:59+00:00"

PATH = CASSETTES / "projectx" / "streams" / "user_reconcile.yaml"


def _envelope(**payload: Any) -> dict[str, Any]:
    return {**payload, "success": True, "errorCode": 0, "errorMessage": None}


ORDER_789_FILLED = {
    "id": 789,
    "accountId": ACCOUNT,
    "contractId": EP,
    "symbolId": "F.US.EP",
    "creationTimestamp": "2024-07-21T13:45:00.000000+00:00",
    "updateTimestamp": "2024-07-21T13:49:30.412113+00:00",
    "status": 2,
    "type": 1,
    "side": 0,
    "size": 1,
    "limitPrice": 2100.500000000,
    "stopPrice": None,
    "fillVolume": 1,
    "filledPrice": 2100.500000000,
    "customTag": "strategy-1",
}
ORDER_790_OPEN = {
    "id": 790,
    "accountId": ACCOUNT,
    "contractId": EP,
    "symbolId": "F.US.EP",
    "creationTimestamp": "2024-07-21T13:49:40.100000+00:00",
    "updateTimestamp": "2024-07-21T13:49:40.100000+00:00",
    "status": 1,
    "type": 1,
    "side": 0,
    "size": 1,
    "limitPrice": 2099.000000000,
    "stopPrice": None,
    "fillVolume": 0,
    "filledPrice": None,
    "customTag": None,
}
ORDER_791_FILLED = {
    "id": 791,
    "accountId": ACCOUNT,
    "contractId": EP,
    "symbolId": "F.US.EP",
    "creationTimestamp": "2024-07-21T13:49:45.000000+00:00",
    "updateTimestamp": "2024-07-21T13:49:50.000000+00:00",
    "status": 2,
    "type": 2,
    "side": 0,
    "size": 1,
    "limitPrice": None,
    "stopPrice": None,
    "fillVolume": 1,
    "filledPrice": 2100.250000000,
    "customTag": None,
}
POSITION_EP = {
    "id": 456,
    "accountId": ACCOUNT,
    "contractId": EP,
    "creationTimestamp": "2024-07-21T13:45:00.000000+00:00",
    "type": 1,
    "size": 3,
    "averagePrice": 2100.333333333,
}


def _trade(trade_id: int, at: str, price: float, pnl: float | None, order_id: int) -> dict[str, Any]:
    return {
        "id": trade_id,
        "accountId": ACCOUNT,
        "contractId": EP,
        "creationTimestamp": at,
        "price": price,
        "profitAndLoss": pnl,
        "fees": 1.4000,
        "side": 0,
        "size": 1,
        "voided": False,
        "orderId": order_id,
    }


TRADES = [
    _trade(101112, "2024-07-21T13:47:00.000000+00:00", 2100.750000000, 50.250000000, 788),
    _trade(101113, "2024-07-21T13:49:30.000000+00:00", 2100.500000000, None, 789),
    _trade(101114, "2024-07-21T13:49:50.000000+00:00", 2100.250000000, None, 791),
]

INTERACTIONS = [
    Interaction(
        "POST",
        f"{API}/Order/searchOpen",
        200,
        _envelope(orders=[ORDER_790_OPEN]),
        request={"accountId": ACCOUNT},
    ),
    Interaction(
        "POST",
        f"{API}/Order/search",
        200,
        _envelope(orders=[ORDER_789_FILLED, ORDER_790_OPEN, ORDER_791_FILLED]),
        request={"accountId": ACCOUNT, "startTimestamp": ORDERS_SINCE},
    ),
    Interaction(
        "POST",
        f"{API}/Position/searchOpen",
        200,
        _envelope(positions=[POSITION_EP]),
        request={"accountId": ACCOUNT},
    ),
    Interaction(
        "POST",
        f"{API}/Trade/search",
        200,
        _envelope(trades=TRADES),
        request={"accountId": ACCOUNT, "startTimestamp": TRADES_SINCE},
    ),
]


def main() -> None:
    print(write_cassette(PATH, INTERACTIONS))


if __name__ == "__main__":
    main()
