"""Graph, node and edge builders: the documented wire, validation before sending, no mutation."""

from __future__ import annotations

import copy

import pytest
from specwire.sequence import build_graph, edge, new_graph_id, node
from specwire.sequence.graphs import order_graph


def test_buy_builds_the_documented_one_node_graph() -> None:
    body = order_graph("buy", "ETH-USD", 50, graph_id="graph_x")
    assert body == {
        "graph_id": "graph_x",
        "nodes": [
            {
                "node_id": "order",
                "instrument": {"symbol": "ETH-USD", "type": "spot", "venue": None},
                "side": "buy",
                "order_type": "market",
                "quantity": {"fixed": {"qty_1e8": 5_000_000_000}},
                "execution": {},
                "activation": "root",
            }
        ],
        "edges": [],
        "is_sandbox": False,
    }


def test_order_options_in_documented_order_and_limit_zero_is_market() -> None:
    body = order_graph(
        "sell", "BTC-USD", 0.1, venue="coinbase", limit_price=0, tif="GTC", urgency="high", horizon_ms=5000
    )
    n = body["nodes"][0]
    assert n["order_type"] == "market"
    assert list(n["execution"]) == ["urgency", "horizon_ms", "tif"]


def test_node_limit_zero_is_a_zero_price_limit() -> None:
    assert node("n", "X", "buy", 1, limit_price=0)["order_type"] == {"limit": {"price_1e9": 0}}


def test_graph_sets_activation_and_never_mutates_inputs() -> None:
    spot = node("spot", "ETH-USD", "buy", 200, urgency="medium")
    hedge = node("hedge", "ETH-USD-PERP", "sell", 200, venue="hyperliquid", instrument_type="perp")
    e = edge("spot", "hedge", trigger="fill_pct", value=0.5)
    before = copy.deepcopy([spot, hedge, e])
    body = build_graph([spot, hedge], [e], sandbox=True)
    assert [spot, hedge, e] == before
    assert [n["activation"] for n in body["nodes"]] == ["root", "wait"]
    assert body["edges"] == [
        {
            "edge_id": "e_spot_hedge",
            "from_node": "spot",
            "to_node": "hedge",
            "trigger": "on_fill_ratio",
            "condition": {"fill_ratio_gte": 0.5},
        }
    ]
    assert body["is_sandbox"] is True
    assert body["graph_id"].startswith("graph_") and len(body["graph_id"]) == 38


def test_on_timeout_builds_the_documented_object_form() -> None:
    assert edge("a", "b", trigger="on_timeout", value=5000)["trigger"] == {"on_timeout": {"ms": 5000}}


def test_on_price_dict_trigger_passes_through() -> None:
    trig = {
        "on_price": {
            "symbol": "BTC-USD",
            "direction": "below",
            "reference": "graph_entry_price",
            "offset_pct": -5.0,
        }
    }
    assert edge("entry", "sl", trigger=trig)["trigger"] == trig


def test_bracket_example_from_the_docs() -> None:
    body = build_graph(
        [
            node("entry", "BTC-USD", "buy", 0.1, urgency="high"),
            node("tp", "BTC-USD", "sell", 0.1, limit_price=80_000),
            node("sl", "BTC-USD", "sell", 0.1),
        ],
        [
            edge("entry", "tp", trigger="full_fill"),
            {
                "edge_id": "e_sl",
                "from_node": "entry",
                "to_node": "sl",
                "trigger": {"on_price": {"symbol": "BTC-USD", "direction": "below"}},
            },
        ],
    )
    assert [n["activation"] for n in body["nodes"]] == ["root", "wait", "wait"]
    assert body["nodes"][1]["order_type"] == {"limit": {"price_1e9": 80_000_000_000_000}}
    assert body["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 10_000_000}}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: node("n", "X", "hold", 1), "side='hold'"),
        (lambda: node("n", "X", "buy", 0), "qty must be > 0, got 0"),
        (lambda: node("n", "X", "buy", 1e-10), "rounds to 0"),
        (lambda: node("n", "X", "buy", 1, urgency="asap"), "urgency='asap'"),
        (lambda: node("n", "X", "buy", 1, instrument_type="bond"), "instrument_type='bond'"),
        (lambda: node("n", "", "buy", 1), "symbol must be a non-empty string"),
        (lambda: order_graph("buy", "X", 1, tif="DAY"), "tif='DAY'"),
        (
            lambda: order_graph("buy", "X", 1, max_slippage_bps=-1),
            "max_slippage_bps must be a non-negative int",
        ),
        (lambda: edge("a", "b", trigger="fill_pct"), "needs value"),
        (lambda: edge("a", "b", trigger="fill_pct", value=1.5), "within 0.0..1.0"),
        (lambda: edge("a", "b", trigger="on_timeout"), "needs value"),
        (lambda: edge("a", "b", trigger="on_fill", value=3), "takes no value"),
        (lambda: edge("a", "b", trigger="whenever"), "trigger='whenever'"),
        (lambda: build_graph([]), "at least one node"),
        (lambda: build_graph([node("a", "X", "buy", 1), node("a", "X", "buy", 1)]), "duplicate node_id 'a'"),
        (lambda: build_graph([node("a", "X", "buy", 1)], [edge("a", "z")]), "to_node='z' is not a node"),
    ],
)
def test_bad_input_is_rejected_with_the_value_named(build, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        build()


def test_graph_ids_are_unique() -> None:
    assert len({new_graph_id() for _ in range(1000)}) == 1000
