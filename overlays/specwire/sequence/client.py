"""``Sequence``: the synchronous Sequence Markets client, with the documented Python API.

Every method of the documented SDK exists with the same name, arguments and defaults; requests are built
by the generated client (via :mod:`._ops`) and sent through specwire's HTTP stack (bearer auth, retries
that never duplicate an order, typed ``SequenceError`` family, secret redaction). Results are the JSON the
service sent (``dict``/``list``, so documented dict-style code works) with typed models on ``.model``.
The asyncio twin with the same surface is :class:`specwire.sequence.AsyncSequence`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from specwire.core.http import build_client
from specwire.core.options import request_options
from specwire.core.redact import Secret
from specwire.core.retry import RetryPolicy

from . import _ops, _results, models
from .auth import check_api_key, ws_headers
from .batch import BatchBuilder
from .errors import SequenceError, family
from .fixedpoint import Number
from .graphs import build_graph, edge, node, order_graph
from .models import AmendResult, Record
from .streams import SequenceStreams, StreamOptions
from .transport import DEFAULT_BASE_URL, http_config, normalize_base_url

if TYPE_CHECKING:
    from .models import (
        Deployment,
        FeesResponse,
        FundingHistory,
        FundingRate,
        GraphStatus,
        GraphSubmission,
        Market,
        MarketsPage,
        Order,
        OrderPreview,
        PriceHistory,
        Quote,
        QuotesBatchResponse,
        RedeemResult,
        Settlement,
        SymbolInfo,
        UnifiedPositions,
        VenueConnection,
    )

__all__ = ["Sequence"]


class Sequence(SequenceStreams):
    """Synchronous Sequence Markets client.

    ``Sequence("seq_live_...")`` for production, ``Sequence("seq_test_...", "http://localhost:50052")`` for a
    local sandbox. No network traffic on construction. ``max_retries`` retries safe requests (reads, and
    order submissions, which carry a client-generated ``graph_id``); ``max_concurrent`` caps calls in flight.
    ``transport`` (e.g. ``httpx.MockTransport``) and ``retry_policy`` exist for tests and tuning.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        max_retries: int = 3,
        max_concurrent: int | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
        stream_options: StreamOptions | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self._key = Secret(check_api_key(api_key))
        cfg = http_config(
            api_key,
            self.base_url,
            max_retries=max_retries,
            timeout=timeout,
            transport=transport,
            retry_policy=retry_policy,
        )
        self._http = build_client(cfg)
        self.max_retries = cfg.policy().max_retries
        self._slots = (
            threading.BoundedSemaphore(max_concurrent) if max_concurrent and max_concurrent > 0 else None
        )
        self.stream_options = stream_options or StreamOptions()

    def __repr__(self) -> str:
        return f"Sequence(base_url={self.base_url!r})"

    def _ws_headers(self) -> dict[str, str]:
        return ws_headers(self._key)

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _send(self, call: _ops.Call) -> Any:
        kwargs = dict(call.request)
        if not call.auth:
            kwargs["auth"] = None
        slot = self._slots if self._slots is not None else contextlib.nullcontext()
        with slot, request_options(timeout=call.timeout) if call.timeout else contextlib.nullcontext():
            response = self._http.request(**kwargs)
        return call.result(_results.decode_body(response))

    def _submit(self, body: dict[str, Any]) -> Record[GraphSubmission]:
        call = _ops.submit(body)
        try:
            return self._send(call)  # type: ignore[no-any-return]
        except SequenceError as exc:
            exc.graph_id = body["graph_id"]
            if isinstance(exc, family.ConflictError):
                # A retry whose first attempt did reach the service: return the graph it created.
                status = self._graph_if_any(body["graph_id"])
                if status is None:
                    raise exc from None
                return _results.resolved_submission(status, body)
            if not _results.submission_outcome_unknown(exc):
                raise
            # Retries are spent and the graph may exist: look it up; never submit a new graph.
            status = self._graph_if_any(body["graph_id"])
            if status is None:
                raise
            return _results.resolved_submission(status, body)

    def _graph_if_any(self, graph_id: str) -> Any:
        """The status of ``graph_id``, or ``None`` when it cannot be read (unknown, or the service is down)."""
        try:
            return self._send(_ops.graph_status(graph_id))
        except SequenceError:
            return None

    # ------------------------------------------------------------------ level 0

    def connect_venue(
        self,
        venue: str,
        api_key: str,
        api_secret: str,
        passphrase: str | None = None,
        extra_json: Any = None,
    ) -> None:
        """Store venue credentials (an overwrite; ``PUT /v1/credentials/{venue}``)."""
        self._send(_ops.connect_venue(venue, api_key, api_secret, passphrase, extra_json))

    def disconnect_venue(self, venue: str) -> None:
        """Delete the stored credentials of a venue."""
        self._send(_ops.disconnect_venue(venue))

    def venues(self) -> list[Record[VenueConnection]]:
        """Every venue with credentials on record: ``{venue, connected, last_heartbeat_ns?, error?}``."""
        return self._send(_ops.venues())  # type: ignore[no-any-return]

    def health(self) -> bool:
        """Unauthenticated liveness check: True only for HTTP 200; never raises."""
        try:
            with request_options(max_retries=0):
                self._send(_ops.health())
        except Exception:
            return False
        return True

    # ------------------------------------------------------------------ level 1

    def quote(self, symbol: str, depth: int = 10, nowait: bool = False) -> Record[Quote]:
        """NBBO + per-venue BBO + merged book (``depth`` clamped to 1..100)."""
        return self._send(_ops.quote(symbol, depth, nowait))  # type: ignore[no-any-return]

    def quotes(self, symbols: Iterable[str]) -> list[Record[Quote]]:
        """Quotes for a few symbols (use ``quotes_batch`` for bulk scans)."""
        return self._send(_ops.quotes(symbols))  # type: ignore[no-any-return]

    def quotes_batch(
        self,
        symbols: Iterable[str],
        depth: int = 10,
        nowait: bool = True,
        concurrency: int = 64,
        instrument_type: str | None = None,
    ) -> Record[QuotesBatchResponse]:
        """Up to 2000 symbols with server-side fan-out; per-symbol failures come back as ``{symbol, error}``."""
        return self._send(_ops.quotes_batch(symbols, depth, nowait, concurrency, instrument_type))  # type: ignore[no-any-return]

    def balances(self) -> Any:
        """Deprecated (endpoint returns 404): use :meth:`positions_unified`."""
        _results.deprecated("balances")
        return self._send(_ops.balances())

    def positions(self) -> Any:
        """Deprecated (endpoint returns 404): use :meth:`positions_unified`."""
        _results.deprecated("positions")
        return self._send(_ops.positions())

    def perp_positions(self) -> Any:
        """Deprecated (endpoint returns 404): use :meth:`positions_unified`."""
        _results.deprecated("perp_positions")
        return self._send(_ops.perp_positions())

    def portfolio(self) -> Any:
        """Deprecated (endpoint returns 404): use :meth:`positions_unified`."""
        _results.deprecated("portfolio")
        return self._send(_ops.portfolio())

    def positions_unified(
        self,
        venues: Iterable[str] | None = None,
        kinds: Iterable[str] | None = None,
        include_closed: bool = False,
    ) -> Record[UnifiedPositions]:
        """Positions across fiat, crypto, perps and event contracts, with totals."""
        return self._send(_ops.positions_unified(venues, kinds, include_closed))  # type: ignore[no-any-return]

    def symbols(self) -> list[Record[SymbolInfo]]:
        """Every tradable instrument."""
        return self._send(_ops.symbols())  # type: ignore[no-any-return]

    def price_history(
        self,
        symbol: str,
        range: str = "1d",
        fidelity_secs: int = 60,
        paginate: bool = False,
        start_ts: int | None = None,
        end_ts: int | None = None,
        venue: str | None = None,
        limit: int | None = None,
        underlying: bool = False,
    ) -> Record[PriceHistory]:
        """Bars (``fidelity_secs > 0``) or ticks (``fidelity_secs=0``) for any symbol."""
        return self._send(  # type: ignore[no-any-return]
            _ops.price_history(
                symbol, range, fidelity_secs, paginate, start_ts, end_ts, venue, limit, underlying
            )
        )

    def funding_history(
        self,
        symbol: str,
        venue: str,
        range: str = "1m",
        start_ts: int | None = None,
        end_ts: int | None = None,
    ) -> Record[FundingHistory]:
        """Historical funding; ``rate_1e9`` is a signed fraction x 1e9 (positive: longs pay shorts)."""
        return self._send(_ops.funding_history(symbol, venue, range, start_ts, end_ts))  # type: ignore[no-any-return]

    def markets(
        self,
        venue: str = "polymarket",
        q: str | None = None,
        slug: str | None = None,
        clob_token_id: str | None = None,
        tag: str | None = None,
        tag_id: int | None = None,
        related_tags: bool = False,
        exclude_tag_id: int | None = None,
        active: bool = True,
        closed: bool = False,
        limit: int = 20,
        cursor: str | None = None,
        expand: str | None = None,
        order: str = "",
        offset: int | None = None,
    ) -> Record[MarketsPage]:
        """One page of Kalshi/Polymarket markets in one shape (``limit`` clamped to 1..500)."""
        return self._send(  # type: ignore[no-any-return]
            _ops.markets(
                venue,
                q,
                slug,
                clob_token_id,
                tag,
                tag_id,
                related_tags,
                exclude_tag_id,
                active,
                closed,
                limit,
                cursor,
                expand,
                order,
                offset,
            )
        )

    def iter_markets(
        self, venue: str = "polymarket", page_size: int = 1000, **filters: Any
    ) -> Iterator[Record[Market]]:
        """Every market matching ``filters``, page by page (cursor threaded until ``has_more`` is false)."""
        kwargs = _results.iter_filters(filters)
        cursor: str | None = None
        while True:
            page = self.markets(venue=venue, limit=page_size, cursor=cursor, **kwargs)
            for row in page.get("markets") or []:
                yield Record(row, models.Market.from_dict)
            cursor = _results.next_cursor(page)
            if cursor is None:
                return

    def market(self, identifier: str, venue: str = "polymarket") -> Record[Market] | None:
        """One market by slug, Kalshi ticker (``:YES``/``:NO`` stripped) or Polymarket token id; None if unknown."""
        return _results.first_market(self.markets(**_results.market_lookup(identifier, venue)))

    def search_markets(self, query: str, limit: int = 20, **kwargs: Any) -> Record[MarketsPage]:
        """Free-text search: ``markets(q=query, limit=limit, **kwargs)``."""
        return self.markets(q=query, limit=limit, **kwargs)

    def new_markets(self, limit: int = 20, **kwargs: Any) -> Record[MarketsPage]:
        """Newest markets first: ``markets(order="created", ...)``. Dedupe on ``condition_id``."""
        kwargs.setdefault("order", "created")
        return self.markets(limit=limit, **kwargs)

    def settlement(self, slug: str, underlying: bool = False) -> Record[Settlement]:
        """Ground-truth settlement of a prediction market."""
        return self._send(_ops.settlement(slug, underlying))  # type: ignore[no-any-return]

    def funding_rates(self, venue: str | None = None, symbol: str | None = None) -> Any:
        """Perpetual funding rates in bps per hour."""
        return self._send(_ops.funding_rates(venue, symbol))

    def funding_rate(self, venue: str, symbol: str) -> Record[FundingRate] | None:
        """One instrument's funding rate, or None when it is not tracked."""
        rates = self.funding_rates(venue=venue, symbol=symbol).get("rates") or []
        return Record(rates[0], models.FundingRate.from_dict) if rates else None

    def edges(self) -> Any:
        """Connected venue edges with heartbeat state."""
        return self._send(_ops.edges())

    def account(self) -> Any:
        """Account profile: tier, rate-limit budget, feature flags."""
        return self._send(_ops.account())

    def risk_limits(self) -> Any:
        """Profile-level risk limits."""
        return self._send(_ops.risk_limits())

    def fees(self, ticker: str, venues: Iterable[str] | None = None) -> Record[FeesResponse]:
        """Maker/taker fees per venue (null = do not route here)."""
        return self._send(_ops.fees(ticker, venues))  # type: ignore[no-any-return]

    def preview(
        self, symbol: str, side: str, qty: Number, order_type: str = "market"
    ) -> Record[OrderPreview]:
        """Pre-trade dry run (nothing is submitted)."""
        return self._send(_ops.preview(symbol, side, qty, order_type))  # type: ignore[no-any-return]

    def kill_switch_engage(self, reason: str | None = None) -> Any:
        """Halt new submissions for this identity (open orders stay: pair with cancel_all_on_venue)."""
        return self._send(_ops.kill_switch_engage(reason))

    def kill_switch_clear(self) -> Any:
        """Clear the kill switch (admin only)."""
        return self._send(_ops.kill_switch_clear())

    def cancel_all_on_venue(self, venue: str) -> Any:
        """Cancel every open order on one venue."""
        return self._send(_ops.cancel_all_on_venue(venue))

    # ------------------------------------------------------------------ level 2

    def buy(self, symbol: str, qty: Number, **opts: Any) -> Record[GraphSubmission]:
        """Market or limit buy as a 1-node graph. Options: venue, limit_price, urgency, policy,
        max_slippage_bps, horizon_ms, tif, instrument_type, sandbox (and graph_id to choose the id)."""
        return self._submit(order_graph("buy", symbol, qty, **opts))

    def sell(self, symbol: str, qty: Number, **opts: Any) -> Record[GraphSubmission]:
        """Market or limit sell; same options as :meth:`buy`."""
        return self._submit(order_graph("sell", symbol, qty, **opts))

    def order(self, node_order_id: str) -> Record[Order]:
        """One order by node order id; ``SequenceError(404)`` when unknown."""
        return _results.pick_order(self._send(_ops.order_lookup(node_order_id)), node_order_id)

    def orders(self, limit: int = 50, offset: int = 0, symbol: str | None = None) -> Any:
        """A page of orders ``{orders, total, limit, offset, has_more}`` (side/status UPPERCASE)."""
        return _results.orders_result(self._send(_ops.orders(limit, offset, symbol)))

    def cancel(self, graph_or_order_id: str) -> None:
        """Cancel the graph of a graph id or node order id (``graph:<graph_id>:<node>:<seq>``)."""
        self._send(_ops.graph_cancel(_ops.graph_id_of(graph_or_order_id)))

    def fills(self, limit: int = 50, offset: int = 0, symbol: str | None = None) -> Any:
        """Fill history."""
        return _results.fills_result(self._send(_ops.fills(limit, offset, symbol)))

    def amend(
        self, order_id: str, new_price: Number | None = None, new_qty: Number | None = None
    ) -> Record[AmendResult]:
        """Change price and/or total quantity of a resting order (cancel/replace today)."""
        response = self._send(_ops.amend(order_id, new_price, new_qty))
        return _results.amend_result(response, order_id, "cancel_replace")

    def decrease(self, order_id: str, reduce_by: Number) -> Record[AmendResult]:
        """Shrink a resting order by ``reduce_by`` (exact fixed point); ``SequenceError(400)`` if nothing would remain."""
        _results.check_reduce_by(reduce_by)
        remaining = _results.decreased_qty_1e8(self.order(order_id), reduce_by)
        response = self._send(_ops.amend_raw(order_id, {"new_qty_1e8": remaining}))
        return _results.amend_result(response, order_id, "cancel_replace_shrink")

    def batch(self, venue: str) -> BatchBuilder:
        """A batch of submits and cancels on one venue (fluent or ``with``; result on ``.result``)."""
        return BatchBuilder(self, venue)

    def redeem(self, slug: str, venue: str) -> Record[RedeemResult]:
        """Claim winnings of a resolved prediction market."""
        return self._send(_ops.redeem(slug, venue))  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ level 3

    node = staticmethod(node)
    edge = staticmethod(edge)

    def graph(
        self,
        nodes: Iterable[Mapping[str, Any]],
        edges: Iterable[Mapping[str, Any]] | None = None,
        sandbox: bool = False,
        *,
        graph_id: str | None = None,
    ) -> Record[GraphSubmission]:
        """Submit an execution graph; nodes with an incoming edge wait, the others start at once."""
        return self._submit(build_graph(nodes, edges, sandbox=sandbox, graph_id=graph_id))

    def graph_status(self, graph_id: str) -> Record[GraphStatus]:
        """Live state of a graph and each of its nodes and edges."""
        return self._send(_ops.graph_status(graph_id))  # type: ignore[no-any-return]

    def graph_cancel(self, graph_id: str) -> None:
        """Cancel every active node (fills are not reversed)."""
        self._send(_ops.graph_cancel(graph_id))

    def graph_resume(self, graph_id: str) -> None:
        """Resume a paused graph."""
        self._send(_ops.graph_resume(graph_id))

    # ------------------------------------------------------------------ level 4

    def deploy_algo(self, name: str, wasm_path: str | Path, symbols: Iterable[str]) -> Record[Deployment]:
        """Upload a compiled .wasm and start it on the edges hosting ``symbols``."""
        return self._send(_ops.deploy_algo(name, wasm_path, symbols))  # type: ignore[no-any-return]

    def algo_status(self, deployment_id: str) -> Any:
        return self._send(_ops.algo_status(deployment_id))

    def algo_start(self, deployment_id: str) -> None:
        self._send(_ops.algo_start(deployment_id))

    def algo_stop(self, deployment_id: str) -> None:
        self._send(_ops.algo_stop(deployment_id))

    def algo_undeploy(self, deployment_id: str) -> None:
        self._send(_ops.algo_undeploy(deployment_id))

    def algo_logs(self, deployment_id: str, limit: int = 200) -> Any:
        return self._send(_ops.algo_logs(deployment_id, limit))

    def algo_mesh(self, deployment_id: str) -> Any:
        return self._send(_ops.algo_mesh(deployment_id))

    def algos(self, detail: str | None = None) -> Any:
        return self._send(_ops.algos(detail))

    def algo(self, symbol: str) -> Any:
        return self._send(_ops.algo(symbol))

    def algo_start_by_symbol(self, symbol: str) -> Any:
        return self._send(_ops.algo_start_by_symbol(symbol))

    def algo_stop_by_symbol(self, symbol: str) -> Any:
        return self._send(_ops.algo_stop_by_symbol(symbol))

    def algo_logs_by_symbol(self, symbol: str) -> Any:
        return self._send(_ops.algo_logs_by_symbol(symbol))

    def algo_stats(self, symbol: str) -> Any:
        return self._send(_ops.algo_stats(symbol))

    def create_strategy(
        self,
        name: str,
        runtime: str,
        entrypoint: str,
        artifact_base64: str,
        manifest: Any = None,
        placement: Any = None,
        risk: Any = None,
        resources: Any = None,
        start_immediately: bool = False,
        sequence_api_key: str | None = None,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> Any:
        """Create a hosted strategy (secrets are redacted from logs and errors)."""
        return self._send(
            _ops.create_strategy(
                name,
                runtime,
                entrypoint,
                artifact_base64,
                manifest,
                placement,
                risk,
                resources,
                start_immediately,
                sequence_api_key,
                env,
                secrets,
            )
        )

    def strategies(self) -> Any:
        return self._send(_ops.strategies())

    def strategy(self, strategy_id: str) -> Any:
        return self._send(_ops.strategy(strategy_id))

    def strategy_start(self, strategy_id: str) -> Any:
        return self._send(_ops.strategy_start(strategy_id))

    def strategy_stop(self, strategy_id: str) -> Any:
        return self._send(_ops.strategy_stop(strategy_id))

    def strategy_logs(self, strategy_id: str, run_id: str | None = None) -> Any:
        return self._send(_ops.strategy_logs(strategy_id, run_id))

    def strategy_delete(self, strategy_id: str) -> Any:
        return self._send(_ops.strategy_delete(strategy_id))

    # ------------------------------------------------------------------ level 5 (free-form JSON)

    def tca(self, symbol: str | None = None) -> Any:
        return self._send(_ops.tca(symbol))

    def intel(self, symbol: str) -> Any:
        return self._send(_ops.intel(symbol))

    def slippage(self, symbol: str, side: str = "buy") -> Any:
        return self._send(_ops.slippage(symbol, side))

    def routing(self, symbol: str, side: str = "buy", qty: Number = 1.0) -> Any:
        return self._send(_ops.routing(symbol, side, qty))

    def depth(self, symbol: str) -> Any:
        return self._send(_ops.depth(symbol))

    def polymarket_rewards(self, token_id: str | None = None) -> Any:
        return self._send(_ops.polymarket_rewards(token_id))

    def forecast(self, symbol: str, side: str, qty: Number) -> Any:
        return self._send(_ops.forecast(symbol, side, qty))

    def execution_live(self, node_order_id: str) -> Any:
        return self._send(_ops.execution_live(node_order_id))

    def execution_review(self, node_order_id: str) -> Any:
        return self._send(_ops.execution_review(node_order_id))

    def execution_summary(self) -> Any:
        return self._send(_ops.execution_summary())

    def trace(self, node_order_id: str) -> Any:
        return self._send(_ops.trace(node_order_id))
