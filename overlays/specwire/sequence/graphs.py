"""Builders for execution-graph payloads (the body of ``POST /v1/orders``).

Every order is a graph: ``buy``/``sell`` are 1-node graphs, ``graph()`` takes nodes and edges built
here. The builders validate before anything is sent (bad values raise ``ValueError`` naming them) and
convert sizes/prices to fixed point exactly (see :mod:`.fixedpoint`). Output dicts follow the wire the
official SDK sends, with two documented fixes: ``edge(trigger="on_timeout", value=ms)`` builds the
``{"on_timeout": {"ms": ms}}`` object form, and every graph carries a client-generated ``graph_id``
so a retried submission can never create a second graph.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from .fixedpoint import Number, to_1e8, to_1e9, to_decimal

__all__ = [
    "EXECUTION_KEYS",
    "INSTRUMENT_TYPES",
    "POLICIES",
    "TIFS",
    "TRIGGERS",
    "URGENCIES",
    "build_graph",
    "edge",
    "new_graph_id",
    "node",
    "order_graph",
]

SIDES = ("buy", "sell")
INSTRUMENT_TYPES = ("spot", "perp", "prediction")
URGENCIES = ("low", "medium", "high")
POLICIES = ("sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip")
TIFS = ("GTC", "IOC", "FOK")
TRIGGERS = (
    "on_accepted",
    "on_first_fill",
    "on_fill",
    "fill_pct",
    "on_fill_ratio",
    "on_full_fill",
    "full_fill",
    "on_timeout",
    "on_cancel",
    "on_done",
)
EXECUTION_KEYS = ("urgency", "policy", "max_slippage_bps", "horizon_ms", "tif")


def new_graph_id() -> str:
    """A fresh client-side graph id in the service's own ``graph_<32 hex>`` format."""
    return f"graph_{uuid.uuid4().hex}"


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not one of {', '.join(allowed)}")
    return value


def _positive_qty(qty: Number) -> int:
    if to_decimal(qty, name="qty") <= 0:
        raise ValueError(f"qty must be > 0, got {qty!r}")
    raw = to_1e8(qty)
    if raw <= 0:
        raise ValueError(f"qty={qty!r} rounds to 0 at 1e-8 resolution")
    return raw


def _limit(price: Number) -> dict[str, Any]:
    if to_decimal(price, name="limit_price") < 0:
        raise ValueError(f"limit_price must be >= 0, got {price!r}")
    return {"limit": {"price_1e9": to_1e9(price)}}


def _int_opt(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    return value


def _execution(opts: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in EXECUTION_KEYS:
        value = opts.get(key)
        if value is None:
            continue
        if key == "urgency":
            out[key] = _choice("urgency", value, URGENCIES)
        elif key == "policy":
            out[key] = _choice("policy", value, POLICIES)
        elif key == "tif":
            out[key] = _choice("tif", value, TIFS)
        else:
            out[key] = _int_opt(key, value)
    return out


def node(
    node_id: str,
    symbol: str,
    side: str,
    qty: Number,
    *,
    venue: str | None = None,
    policy: str | None = None,
    urgency: str | None = None,
    limit_price: Number | None = None,
    instrument_type: str = "spot",
    max_slippage_bps: int | None = None,
    horizon_ms: int | None = None,
    tif: str | None = None,
) -> dict[str, Any]:
    """One order node. ``activation`` starts as ``root``; :func:`build_graph` sets ``wait`` where edges point.

    ``limit_price=None`` means market; any other value (0 included) is a limit at that price.
    """
    if not isinstance(node_id, str) or not node_id:
        raise ValueError(f"node_id must be a non-empty string, got {node_id!r}")
    if not isinstance(symbol, str) or not symbol:
        raise ValueError(f"symbol must be a non-empty string, got {symbol!r}")
    return {
        "node_id": node_id,
        "instrument": {
            "symbol": symbol,
            "type": _choice("instrument_type", instrument_type, INSTRUMENT_TYPES),
            "venue": venue,
        },
        "side": _choice("side", side.lower() if isinstance(side, str) else side, SIDES),
        "order_type": "market" if limit_price is None else _limit(limit_price),
        "quantity": {"fixed": {"qty_1e8": _positive_qty(qty)}},
        "execution": _execution(
            {
                "urgency": urgency,
                "policy": policy,
                "max_slippage_bps": max_slippage_bps,
                "horizon_ms": horizon_ms,
                "tif": tif,
            }
        ),
        "activation": "root",
    }


def edge(
    from_node: str,
    to_node: str,
    trigger: str | Mapping[str, Any] = "on_fill",
    value: float | int | None = None,
) -> dict[str, Any]:
    """One edge ``from_node -> to_node``.

    * ``trigger="fill_pct", value=0.5`` -> ``"on_fill_ratio"`` with ``condition.fill_ratio_gte``;
    * ``trigger="on_timeout", value=5000`` -> ``{"on_timeout": {"ms": 5000}}`` (the documented form);
    * a dict trigger (e.g. ``{"on_price": {...}}``) is passed through as is.
    """
    if not from_node or not to_node:
        raise ValueError(f"edge needs both node ids, got from_node={from_node!r} to_node={to_node!r}")
    out: dict[str, Any] = {"edge_id": f"e_{from_node}_{to_node}", "from_node": from_node, "to_node": to_node}
    if isinstance(trigger, Mapping):
        out["trigger"] = copy.deepcopy(dict(trigger))
        return out
    _choice("trigger", trigger, TRIGGERS)
    if trigger in ("fill_pct", "on_fill_ratio"):
        if value is None:
            raise ValueError(f"trigger={trigger!r} needs value (a fill ratio in 0.0..1.0)")
        ratio = float(value)
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f"fill ratio value must be within 0.0..1.0, got {value!r}")
        out["trigger"] = "on_fill_ratio"
        out["condition"] = {"fill_ratio_gte": ratio}
    elif trigger == "on_timeout":
        if value is None:
            raise ValueError("trigger='on_timeout' needs value (milliseconds)")
        out["trigger"] = {"on_timeout": {"ms": _int_opt("on_timeout value (ms)", value)}}
    else:
        if value is not None:
            raise ValueError(f"trigger={trigger!r} takes no value, got value={value!r}")
        out["trigger"] = trigger
    return out


def build_graph(
    nodes: Iterable[Mapping[str, Any]],
    edges: Iterable[Mapping[str, Any]] | None = None,
    *,
    sandbox: bool = False,
    graph_id: str | None = None,
) -> dict[str, Any]:
    """The full submission body. Copies its inputs (never mutates the caller's dicts), checks that node ids
    are unique and every edge joins two known nodes, and sets ``activation``: ``wait`` for nodes that are the
    target of an edge, ``root`` for the others."""
    node_list = [copy.deepcopy(dict(n)) for n in nodes]
    edge_list = [copy.deepcopy(dict(e)) for e in (edges or [])]
    if not node_list:
        raise ValueError("a graph needs at least one node")
    ids: set[str] = set()
    for n in node_list:
        nid = n.get("node_id")
        if not nid:
            raise ValueError(f"node without node_id: {n!r}")
        if nid in ids:
            raise ValueError(f"duplicate node_id {nid!r}")
        ids.add(nid)
    targets: set[str] = set()
    for e in edge_list:
        for key in ("from_node", "to_node"):
            if e.get(key) not in ids:
                raise ValueError(
                    f"edge {e.get('edge_id')!r} {key}={e.get(key)!r} is not a node of this graph"
                )
        if "trigger" not in e:
            raise ValueError(f"edge {e.get('edge_id')!r} has no trigger")
        e.setdefault("edge_id", f"e_{e['from_node']}_{e['to_node']}")
        targets.add(e["to_node"])
    for n in node_list:
        n["activation"] = "wait" if n["node_id"] in targets else "root"
    return {
        "graph_id": graph_id or new_graph_id(),
        "nodes": node_list,
        "edges": edge_list,
        "is_sandbox": bool(sandbox),
    }


def order_graph(
    side: str,
    symbol: str,
    qty: Number,
    *,
    venue: str | None = None,
    limit_price: Number | None = None,
    urgency: str | None = None,
    policy: str | None = None,
    max_slippage_bps: int | None = None,
    horizon_ms: int | None = None,
    tif: str | None = None,
    instrument_type: str = "spot",
    sandbox: bool = False,
    graph_id: str | None = None,
) -> dict[str, Any]:
    """The 1-node graph a ``buy``/``sell`` sends. As in the official SDK, a falsy ``limit_price``
    (None or 0) means a market order here."""
    n = node(
        "order",
        symbol,
        side,
        qty,
        venue=venue,
        policy=policy,
        urgency=urgency,
        limit_price=limit_price if limit_price else None,
        instrument_type=instrument_type,
        max_slippage_bps=max_slippage_bps,
        horizon_ms=horizon_ms,
        tif=tif,
    )
    return build_graph([n], [], sandbox=sandbox, graph_id=graph_id)
