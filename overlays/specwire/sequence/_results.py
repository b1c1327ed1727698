"""Pure helpers both facades use to turn answers into the documented return values.

Why separate: ``order()``, ``decrease()``, ``market()`` and duplicate-submission recovery combine several
requests; the decisions between them (which row, which error, which arguments) are the same for sync and
async and are easiest to test without I/O.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from . import models
from .errors import SequenceResponseError, family
from .fixedpoint import Number, to_1e8, to_decimal
from .models import AmendResult, Record, records

if TYPE_CHECKING:
    from .models import GraphSubmission, Market, Order

__all__ = [
    "decode_body",
    "deprecated",
    "amend_result",
    "batch_error",
    "check_reduce_by",
    "decreased_qty_1e8",
    "fills_result",
    "first_market",
    "iter_filters",
    "market_lookup",
    "next_cursor",
    "orders_result",
    "pick_order",
    "resolved_submission",
    "submission_outcome_unknown",
]

_KALSHI_SIDE = re.compile(r":(yes|no)$", re.IGNORECASE)


def orders_result(data: Any) -> Any:
    if isinstance(data, dict):
        return Record(data, models.OrdersPage.from_dict)
    return records(data, models.Order.from_dict)


def fills_result(data: Any) -> Any:
    if isinstance(data, dict):
        return Record(data, models.FillsPage.from_dict)
    return records(data, models.Fill.from_dict)


def pick_order(data: Any, node_order_id: str) -> Record[Order]:
    """The one order of a ``?node_order_id=`` lookup, or a 404 ``SequenceError`` when there is none."""
    rows: Any
    if isinstance(data, dict):
        rows = data.get("orders") or []
    elif isinstance(data, list):
        rows = data
    elif data is None:
        rows = []
    else:
        raise SequenceResponseError(0, f"unexpected orders response: {type(data).__name__}")
    for row in rows:
        if isinstance(row, dict) and row.get("node_order_id", node_order_id) == node_order_id:
            return Record(row, models.Order.from_dict)
    raise family.from_status(404, f"order {node_order_id} not found")


def amend_result(response: Any, order_id: str, mode: str) -> Record[AmendResult]:
    resp = response if isinstance(response, dict) else {}
    return Record(
        {"order_id": resp.get("node_order_id") or order_id, "mode": mode, "status": resp.get("status")},
        AmendResult.from_dict,
    )


def decreased_qty_1e8(order: Mapping[str, Any], reduce_by: Number) -> int:
    """Remaining size after shrinking by ``reduce_by``, computed exactly in fixed point."""
    current = order.get("qty_1e8")
    if isinstance(current, bool) or not isinstance(current, int):
        raise SequenceResponseError(0, f"order has no integer qty_1e8 (got {current!r})")
    remaining = current - to_1e8(reduce_by)
    if remaining <= 0:
        raise family.from_status(400, "decrease: reduce_by exceeds remaining quantity — cancel instead")
    return remaining


def check_reduce_by(reduce_by: Number) -> None:
    if to_decimal(reduce_by, name="reduce_by") <= 0:
        raise ValueError("decrease: reduce_by must be > 0")


def market_lookup(identifier: str, venue: str) -> dict[str, Any]:
    """``markets()`` arguments for a single-market lookup, as the official SDK routes them."""
    if not isinstance(identifier, str) or not identifier.strip():
        raise ValueError(f"identifier must be a non-empty string, got {identifier!r}")
    if venue == "polymarket" and identifier.isdigit() and len(identifier) >= 60:
        return {"venue": venue, "clob_token_id": identifier, "limit": 1, "active": False}
    if venue == "kalshi":
        return {"venue": venue, "slug": _KALSHI_SIDE.sub("", identifier), "limit": 1, "active": True}
    return {"venue": venue, "slug": identifier, "limit": 1, "active": True}


def first_market(page: Mapping[str, Any]) -> Record[Market] | None:
    rows = page.get("markets") or []
    if rows and isinstance(rows[0], dict):
        return Record(rows[0], models.Market.from_dict)
    return None


def iter_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Caller filters for ``iter_markets``: paging is managed here, so cursor/limit/offset are dropped."""
    return {k: v for k, v in filters.items() if k not in ("cursor", "limit", "offset")}


def next_cursor(page: Mapping[str, Any]) -> str | None:
    """The cursor to continue with, or None when the walk is over."""
    cursor = page.get("next_cursor")
    if not page.get("has_more") or not cursor:
        return None
    return str(cursor)


def resolved_submission(status: Mapping[str, Any], body: Mapping[str, Any]) -> Record[GraphSubmission]:
    """The answer for a submission the service already had (409 duplicate ``graph_id``)."""
    data = {
        "graph_id": status.get("graph_id") or body["graph_id"],
        "status": status.get("status"),
        "node_count": len(body.get("nodes") or []),
        "edge_count": len(body.get("edges") or []),
        "duplicate": True,
    }
    return Record(data, models.GraphSubmission.from_dict)


def submission_outcome_unknown(exc: BaseException) -> bool:
    """Whether a failed submit may still have created its graph (so it must be looked up, not resent).

    No answer at all (network failure or timeout after the request may have left), 408, 5xx, or a 2xx
    whose body could not be read. Other 4xx answers are refusals: nothing was created.
    """
    if isinstance(exc, SequenceResponseError):
        return True
    status = getattr(exc, "status", None)
    return isinstance(status, int) and (status == 0 or status == 408 or status >= 500)


def batch_error(exc: BaseException) -> dict[str, Any]:
    return {"error": str(exc)}


def decode_body(response: httpx.Response) -> Any:
    """The JSON of an answer (``None`` when empty); a non-JSON body is a ``SequenceResponseError``."""
    content = response.content
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except ValueError:
        text = content[:200].decode("utf-8", errors="replace")
        raise SequenceResponseError(response.status_code, f"expected JSON, got: {text}") from None


def deprecated(name: str) -> None:
    """Warn from a deprecated facade method (``stacklevel`` points at the caller of that method)."""
    warnings.warn(
        f"Sequence.{name}() is deprecated (its endpoint now returns 404); use positions_unified()",
        DeprecationWarning,
        stacklevel=3,
    )
