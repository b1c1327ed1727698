"""What the Sequence facades return: the JSON the service sent, with its typed model on ``.model``.

Why both: the documented Python API returns plain dicts (``r["quotes"][0]["nbbo"]["bid"]``), and
code written for it must keep working; specwire adds the generated typed model on ``.model``
(``r.model.quotes[0].nbbo.bid``). The model is parsed on first access and cached, so callers that only
use the dict never pay for it, and a field the spec does not know yet never breaks the dict view.

Here: :class:`Record` (and :func:`records` for JSON arrays), the two results specwire builds itself
(:class:`AmendResult`, :class:`BatchResult`), and the generated models found on ``.model`` under their
public names — REST models from ``specs/sequence/openapi.yaml`` (attrs classes) and stream payloads from
``asyncapi.yaml`` (msgspec Structs, on ``StreamMessage.message`` and lifecycle ``Record.model``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs
from specwire_gen.sequence.stream_models import (
    BookSnapshot,
    FillEvent,
    FundingUpdate,
    MarketResolvedEvent,
    NewMarketEvent,
    OrderEvent,
    PriceUpdate,
    RoutingDecision,
    TcaEvent,
)

from specwire.core.lazy import lazy_exports

from .errors import SequenceResponseError

if TYPE_CHECKING:  # the REST models load on first use
    from specwire_gen.sequence.models import (
        Deployment,
        EdgesResponse,
        FeesResponse,
        Fill,
        FillsPage,
        FundingHistory,
        FundingRate,
        FundingRates,
        GraphStatus,
        GraphSubmission,
        Market,
        MarketsPage,
        Order,
        OrderPreview,
        OrdersPage,
        PolymarketReward,
        PriceHistory,
        Quote,
        QuotesBatchResponse,
        RedeemResult,
        RiskLimits,
        Settlement,
        SymbolInfo,
        TcaReport,
        UnifiedPositions,
        VenueConnection,
    )

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.sequence.models": (
                "Deployment",
                "EdgesResponse",
                "FeesResponse",
                "Fill",
                "FillsPage",
                "FundingHistory",
                "FundingRate",
                "FundingRates",
                "GraphStatus",
                "GraphSubmission",
                "Market",
                "MarketsPage",
                "Order",
                "OrderPreview",
                "OrdersPage",
                "PolymarketReward",
                "PriceHistory",
                "Quote",
                "QuotesBatchResponse",
                "RedeemResult",
                "RiskLimits",
                "Settlement",
                "SymbolInfo",
                "TcaReport",
                "UnifiedPositions",
                "VenueConnection",
            )
        },
    )

__all__ = [
    "AmendResult",
    "BatchResult",
    "BookSnapshot",
    "Deployment",
    "EdgesResponse",
    "FeesResponse",
    "Fill",
    "FillEvent",
    "FillsPage",
    "FundingHistory",
    "FundingRate",
    "FundingRates",
    "FundingUpdate",
    "GraphStatus",
    "GraphSubmission",
    "Market",
    "MarketResolvedEvent",
    "MarketsPage",
    "NewMarketEvent",
    "Order",
    "OrderEvent",
    "OrderPreview",
    "OrdersPage",
    "PolymarketReward",
    "PriceHistory",
    "PriceUpdate",
    "Quote",
    "QuotesBatchResponse",
    "Record",
    "RedeemResult",
    "RiskLimits",
    "RoutingDecision",
    "Settlement",
    "SymbolInfo",
    "TcaEvent",
    "TcaReport",
    "UnifiedPositions",
    "VenueConnection",
    "records",
]

M = TypeVar("M")

_MISSING: Any = object()


class Record(dict[str, Any], Generic[M]):
    """A JSON object response (a real ``dict``) with its typed view on :attr:`model`."""

    __slots__ = ("_model", "_parse")

    def __init__(self, data: Mapping[str, Any], parse: Callable[[Mapping[str, Any]], M]) -> None:
        super().__init__(data)
        self._parse = parse
        self._model: Any = _MISSING

    @property
    def model(self) -> M:
        """The generated typed model for this response (parsed once, on first use).

        Raises :class:`~specwire.sequence.errors.SequenceResponseError` naming the problem if the
        body does not have the documented shape.
        """
        cached = getattr(self, "_model", _MISSING)
        if cached is _MISSING:
            parse = getattr(self, "_parse", None)
            if parse is None:
                raise SequenceResponseError(0, "this Record has no model parser (was it copied?)")
            try:
                cached = parse(self)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise SequenceResponseError(
                    0, f"response does not match the documented shape: {type(exc).__name__}: {exc}"
                ) from exc
            self._model = cached
        return cached  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Record({dict.__repr__(self)})"


def records(items: Any, parse: Callable[[Mapping[str, Any]], M]) -> list[Record[M]]:
    """A JSON array of objects as a list of :class:`Record` (non-object items are a shape error)."""
    if not isinstance(items, list):
        raise SequenceResponseError(0, f"expected a JSON array, got {type(items).__name__}")
    out: list[Record[M]] = []
    for item in items:
        if not isinstance(item, dict):
            raise SequenceResponseError(0, f"expected JSON objects in the array, got {type(item).__name__}")
        out.append(Record(item, parse))
    return out


@attrs.frozen
class AmendResult:
    """What ``amend``/``decrease`` report: the (possibly new) order id, how it was done, its status."""

    order_id: str
    mode: str
    status: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AmendResult:
        return cls(order_id=str(data["order_id"]), mode=str(data["mode"]), status=data.get("status"))


@attrs.frozen
class BatchResult:
    """What ``batch(...).end()`` returns: ``mode`` (``"serial"``) and one response per queued op."""

    mode: str
    responses: list[dict[str, Any]]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchResult:
        return cls(mode=str(data["mode"]), responses=list(data["responses"]))
