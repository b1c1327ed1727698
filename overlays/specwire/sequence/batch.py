"""``batch(venue)``: queue submits and cancels for one venue, then run them (serially, as the service does today).

Fluent (``seq.batch("polymarket").buy("TOKEN", 10).end()``) or a context manager that runs the batch on a
clean exit; ``.result`` holds ``{"mode": "serial", "responses": [...]}`` afterwards (the documented
attribute, missing from the official SDK). Each op's failure is captured in its response entry
(``{"error": "..."}``) and never stops the others. Every submit carries its own client ``graph_id``, so a
retried submit cannot fill twice. Arguments are validated when queued, before anything is sent.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from . import _ops, _results
from .errors import SequenceError
from .fixedpoint import Number
from .graphs import build_graph, node
from .models import BatchResult, Record

if TYPE_CHECKING:
    from .async_client import AsyncSequence
    from .client import Sequence

__all__ = ["AsyncBatchBuilder", "BatchBuilder"]

_Op = tuple[str, Any, str]


class _Queue:
    """The queued operations, shared by the sync and async builders."""

    def __init__(self, venue: str) -> None:
        if not isinstance(venue, str) or not venue.strip():
            raise ValueError(f"venue must be a non-empty string, got {venue!r}")
        self.venue = venue
        self.ops: list[_Op] = []
        self.mode = "serial"
        self.responses: list[dict[str, Any]] = []
        self.result: Record[BatchResult] | None = None

    def _submit(self, side: str, symbol: str, qty: Number, price: Number | None) -> Self:
        # A batch limit applies whenever a price is given (0 included), unlike buy()/sell().
        order = node("order", symbol, side, qty, venue=self.venue, limit_price=price)
        self.ops.append(("submit", build_graph([order], []), ""))
        return self

    def buy(self, symbol: str, qty: Number) -> Self:
        """Queue a market buy."""
        return self._submit("buy", symbol, qty, None)

    def sell(self, symbol: str, qty: Number) -> Self:
        """Queue a market sell."""
        return self._submit("sell", symbol, qty, None)

    def buy_limit(self, symbol: str, qty: Number, price: Number) -> Self:
        """Queue a limit buy (prediction markets: price in 0.0..1.0)."""
        return self._submit("buy", symbol, qty, price)

    def sell_limit(self, symbol: str, qty: Number, price: Number) -> Self:
        """Queue a limit sell."""
        return self._submit("sell", symbol, qty, price)

    def cancel(self, order_id: str) -> Self:
        """Queue a cancel of one order (``DELETE /v1/orders/{order_id}``)."""
        self.ops.append(("cancel", _ops.cancel_order_op(order_id), order_id))
        return self

    def emulate(self) -> Self:
        """Compatibility no-op: batches are serial today."""
        return self

    def __len__(self) -> int:
        return len(self.ops)

    def _pending(self) -> bool:
        """Whether leaving a ``with`` block still has to run the batch (not if ``end()`` already did)."""
        return bool(self.ops) or self.result is None

    def _finish(self, responses: list[dict[str, Any]]) -> Record[BatchResult]:
        self.ops = []
        self.responses = responses
        self.result = Record({"mode": self.mode, "responses": responses}, BatchResult.from_dict)
        return self.result


class BatchBuilder(_Queue):
    """Batch for :class:`~specwire.sequence.Sequence`."""

    def __init__(self, client: Sequence, venue: str) -> None:
        super().__init__(venue)
        self._client = client

    def end(self) -> Record[BatchResult]:
        """Run the queued ops in order; returns (and stores on ``.result``) ``{mode, responses}``."""
        responses: list[dict[str, Any]] = []
        for kind, payload, order_id in self.ops:
            try:
                if kind == "submit":
                    responses.append({"submitted": dict(self._client._submit(payload))})
                else:
                    self._client._send(payload)
                    responses.append({"cancelled": order_id})
            except (SequenceError, ValueError) as exc:
                responses.append(_results.batch_error(exc))
        return self._finish(responses)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if et is None and self._pending():
            self.end()


class AsyncBatchBuilder(_Queue):
    """Batch for :class:`~specwire.sequence.AsyncSequence` (``await b.end()`` / ``async with``)."""

    def __init__(self, client: AsyncSequence, venue: str) -> None:
        super().__init__(venue)
        self._client = client

    async def end(self) -> Record[BatchResult]:
        """Run the queued ops in order; returns (and stores on ``.result``) ``{mode, responses}``."""
        responses: list[dict[str, Any]] = []
        for kind, payload, order_id in self.ops:
            try:
                if kind == "submit":
                    responses.append({"submitted": dict(await self._client._submit(payload))})
                else:
                    await self._client._send(payload)
                    responses.append({"cancelled": order_id})
            except (SequenceError, ValueError) as exc:
                responses.append(_results.batch_error(exc))
        return self._finish(responses)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if et is None and self._pending():
            await self.end()
