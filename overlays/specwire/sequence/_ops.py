"""One function per documented call: validate arguments, build the request with the generated client, and
say how to turn the JSON answer into the documented return value.

Why a separate layer: the sync and async facades must behave identically; keeping every argument rule,
clamp and wire quirk here (pure, no I/O) means the two facades only differ in ``await``. Requests are
built by the generated operation modules (``specwire_gen.sequence.api``), so paths, path encoding and
body shapes come from the spec.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
from specwire_gen.sequence.types import UNSET

from specwire.core.redact import is_sensitive_name, register_secret

from . import _gen
from .errors import SequenceResponseError
from .fixedpoint import Number, to_1e8, to_1e9, to_decimal
from .models import Record, records

__all__ = ["Call"]

MAX_BATCH_SYMBOLS = 2000
MARKETS_PAGE_MAX = 500
SLIPPAGE_SIZES = "1000,10000,100000,1000000"


@attrs.frozen
class Call:
    """A prepared request plus the rule that turns the decoded JSON body into the return value."""

    request: dict[str, Any]
    result: Callable[[Any], Any]
    auth: bool = True
    timeout: float | None = None


# ----------------------------------------------------------------------------- result converters


def _record(parse: Callable[[Mapping[str, Any]], Any]) -> Callable[[Any], Any]:
    def convert(data: Any) -> Any:
        if not isinstance(data, dict):
            raise SequenceResponseError(0, f"expected a JSON object, got {type(data).__name__}")
        return Record(data, parse)

    return convert


def _records(parse: Callable[[Mapping[str, Any]], Any]) -> Callable[[Any], Any]:
    return lambda data: records(data, parse)


def _none(_data: Any) -> None:
    return None


def _json(data: Any) -> Any:
    return data


def _record_or_json(parse: Callable[[Mapping[str, Any]], Any]) -> Callable[[Any], Any]:
    """Free-form endpoints with a documented core: type the object form, pass anything else through."""
    return lambda data: Record(data, parse) if isinstance(data, dict) else data


# ----------------------------------------------------------------------------- argument checks


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _clamp(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    return max(low, min(high, value))


def _nonneg(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value!r}")
    return value


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return value


def _opt(value: Any) -> Any:
    return UNSET if value is None else value


def _flag(value: bool) -> Any:
    """Booleans the official SDK sends only when true."""
    return True if value else UNSET


def _csv(name: str, values: Iterable[str] | str | None) -> Any:
    if values is None:
        return UNSET
    items = [values] if isinstance(values, str) else list(values)
    for item in items:
        _text(f"{name} item", item)
        if "," in item:
            raise ValueError(f"{name} item {item!r} must not contain a comma")
    if not items:
        raise ValueError(f"{name} must not be empty")
    return ",".join(items)


def _side(side: Any) -> str:
    if not isinstance(side, str) or side.lower() not in ("buy", "sell"):
        raise ValueError(f"side must be 'buy' or 'sell', got {side!r}")
    return side.lower()


def _human_qty(qty: Any) -> float:
    if to_decimal(qty, name="qty") <= 0:
        raise ValueError(f"qty must be > 0, got {qty!r}")
    return float(qty)


# ----------------------------------------------------------------------------- level 0


def connect_venue(
    venue: str, api_key: str, api_secret: str, passphrase: str | None = None, extra_json: Any = None
) -> Call:
    for secret in (api_key, api_secret, passphrase):
        if isinstance(secret, str) and secret:
            register_secret(secret)
    if isinstance(extra_json, Mapping):
        for key, value in extra_json.items():
            if isinstance(value, str) and value and is_sensitive_name(str(key)):
                register_secret(value)
    if not isinstance(api_key, str) or not isinstance(api_secret, str):
        raise ValueError("api_key and api_secret must be strings (empty for Polymarket's signer-only flow)")
    body: dict[str, Any] = {"api_key": api_key, "api_secret": api_secret}
    if passphrase:
        body["passphrase"] = passphrase
    if extra_json is not None:
        body["extra_json"] = extra_json
    return Call(
        _gen.put_venue_credentials._get_kwargs(
            _text("venue", venue), body=_gen.VenueCredentials.from_dict(body)
        ),
        _none,
    )


def disconnect_venue(venue: str) -> Call:
    return Call(_gen.delete_venue_credentials._get_kwargs(_text("venue", venue)), _none)


def venues() -> Call:
    return Call(_gen.list_venue_credentials._get_kwargs(), _records(_gen.VenueConnection.from_dict))


def health() -> Call:
    return Call(_gen.get_health_live._get_kwargs(), _json, auth=False, timeout=5.0)


# ----------------------------------------------------------------------------- level 1


def quote(symbol: str, depth: int = 10, nowait: bool = False) -> Call:
    return Call(
        _gen.get_quote._get_kwargs(
            _text("symbol", symbol), depth=_clamp("depth", depth, 1, 100), nowait=_flag(nowait)
        ),
        _record(_gen.Quote.from_dict),
    )


def quotes(symbols: Iterable[str]) -> Call:
    return Call(
        _gen.list_quotes._get_kwargs(symbols=_csv("symbols", symbols)), _records(_gen.Quote.from_dict)
    )


def quotes_batch(
    symbols: Iterable[str],
    depth: int = 10,
    nowait: bool = True,
    concurrency: int = 64,
    instrument_type: str | None = None,
) -> Call:
    items = [symbols] if isinstance(symbols, str) else list(symbols)
    if not items:
        raise ValueError("symbols must not be empty")
    if len(items) > MAX_BATCH_SYMBOLS:
        raise ValueError(f"quotes_batch takes up to {MAX_BATCH_SYMBOLS} symbols, got {len(items)}")
    for item in items:
        _text("symbols item", item)
    body: dict[str, Any] = {
        "symbols": items,
        "depth": _clamp("depth", depth, 1, 100),
        "nowait": bool(nowait),
        "concurrency": _clamp("concurrency", concurrency, 1, 256),
    }
    if instrument_type:
        if instrument_type not in ("spot", "perp", "prediction"):
            raise ValueError(f"instrument_type must be spot, perp or prediction, got {instrument_type!r}")
        body["instrument_type"] = instrument_type
    return Call(
        _gen.quotes_batch_api._get_kwargs(body=_gen.QuotesBatchRequest.from_dict(body)),
        _record(_gen.QuotesBatchResponse.from_dict),
    )


def balances() -> Call:
    return Call(_gen.get_balances._get_kwargs(), _json)


def positions() -> Call:
    return Call(_gen.get_positions._get_kwargs(), _json)


def perp_positions() -> Call:
    return Call(_gen.get_perp_positions._get_kwargs(), _json)


def portfolio() -> Call:
    return Call(_gen.get_portfolio_summary._get_kwargs(), _json)


def positions_unified(
    venues: Iterable[str] | None = None, kinds: Iterable[str] | None = None, include_closed: bool = False
) -> Call:
    return Call(
        _gen.get_unified_positions._get_kwargs(
            venues=_csv("venues", venues), kinds=_csv("kinds", kinds), include_closed=_flag(include_closed)
        ),
        _record(_gen.UnifiedPositions.from_dict),
    )


def symbols() -> Call:
    return Call(_gen.list_symbols._get_kwargs(), _records(_gen.SymbolInfo.from_dict))


def price_history(
    symbol: str,
    range: str = "1d",
    fidelity_secs: int = 60,
    paginate: bool = False,
    start_ts: int | None = None,
    end_ts: int | None = None,
    venue: str | None = None,
    limit: int | None = None,
    underlying: bool = False,
) -> Call:
    return Call(
        _gen.get_price_history._get_kwargs(
            _text("symbol", symbol),
            range_=_text("range", range),
            fidelity_secs=_nonneg("fidelity_secs", fidelity_secs),
            paginate=_flag(paginate),
            start_ts=UNSET if start_ts is None else _nonneg("start_ts", start_ts),
            end_ts=UNSET if end_ts is None else _nonneg("end_ts", end_ts),
            venue=_opt(venue),
            limit=UNSET if limit is None else _positive("limit", limit),
            underlying=_flag(underlying),
        ),
        _record(_gen.PriceHistory.from_dict),
    )


def funding_history(
    symbol: str, venue: str, range: str = "1m", start_ts: int | None = None, end_ts: int | None = None
) -> Call:
    return Call(
        _gen.get_funding_history._get_kwargs(
            _text("symbol", symbol),
            venue=_text("venue", venue),
            range_=_text("range", range),
            start_ts=UNSET if start_ts is None else _nonneg("start_ts", start_ts),
            end_ts=UNSET if end_ts is None else _nonneg("end_ts", end_ts),
        ),
        _record(_gen.FundingHistory.from_dict),
    )


def markets(
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
) -> Call:
    return Call(
        _gen.list_markets._get_kwargs(
            venue=_text("venue", venue),
            limit=_clamp("limit", limit, 1, MARKETS_PAGE_MAX),
            active=bool(active),
            closed=_flag(closed),
            q=_opt(q),
            slug=_opt(slug),
            clob_token_id=_opt(clob_token_id),
            tag=_opt(tag),
            cursor=_opt(cursor),
            tag_id=_opt(tag_id),
            related_tags=True if (related_tags and tag_id is not None) else UNSET,
            exclude_tag_id=_opt(exclude_tag_id),
            order=order or UNSET,
            offset=UNSET if offset is None else _nonneg("offset", offset),
            expand=_opt(expand),
        ),
        _record(_gen.MarketsPage.from_dict),
    )


def settlement(slug: str, underlying: bool = False) -> Call:
    return Call(
        _gen.get_settlement._get_kwargs(_text("slug", slug), underlying=bool(underlying)),
        _record(_gen.Settlement.from_dict),
    )


def funding_rates(venue: str | None = None, symbol: str | None = None) -> Call:
    return Call(
        _gen.get_funding_rates._get_kwargs(venue=_opt(venue), symbol=_opt(symbol)),
        _record(_gen.FundingRates.from_dict),
    )


def edges() -> Call:
    return Call(_gen.list_edges._get_kwargs(), _record_or_json(_gen.EdgesResponse.from_dict))


def account() -> Call:
    return Call(_gen.get_account._get_kwargs(), _json)


def risk_limits() -> Call:
    return Call(_gen.get_risk_limits._get_kwargs(), _record_or_json(_gen.RiskLimits.from_dict))


def fees(ticker: str, venues: Iterable[str] | None = None) -> Call:
    return Call(
        _gen.get_fees._get_kwargs(ticker=_text("ticker", ticker), venues=_csv("venues", venues)),
        _record(_gen.FeesResponse.from_dict),
    )


def preview(symbol: str, side: str, qty: Number, order_type: str = "market") -> Call:
    body: dict[str, Any] = {
        "symbol": _text("symbol", symbol),
        "side": _side(side),
        "order_type": _text("order_type", order_type),
        "qty": _human_qty(qty),
    }
    return Call(
        _gen.preview_order._get_kwargs(body=_gen.PreviewRequest.from_dict(body)),
        _record(_gen.OrderPreview.from_dict),
    )


def kill_switch_engage(reason: str | None = None) -> Call:
    if reason is not None and not isinstance(reason, str):
        raise ValueError(f"reason must be a string or None, got {reason!r}")
    return Call(_gen.engage_kill_switch._get_kwargs(body=_gen.KillSwitchRequest(reason=reason)), _json)


def kill_switch_clear() -> Call:
    return Call(_gen.clear_kill_switch._get_kwargs(), _json)


def cancel_all_on_venue(venue: str) -> Call:
    return Call(_gen.cancel_all_on_venue_api._get_kwargs(_text("venue", venue)), _json)


# ----------------------------------------------------------------------------- level 2


def submit(body: Mapping[str, Any]) -> Call:
    """POST an execution graph built by :mod:`.graphs` (checked against the spec's model first)."""
    try:
        model = _gen.ExecutionGraphRequest.from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a valid execution graph: {type(exc).__name__}: {exc}") from exc
    return Call(_gen.submit_order._get_kwargs(body=model), _record(_gen.GraphSubmission.from_dict))


def orders(limit: int = 50, offset: int = 0, symbol: str | None = None) -> Call:
    return Call(
        _gen.list_orders._get_kwargs(
            limit=_positive("limit", limit), offset=_nonneg("offset", offset), symbol=_opt(symbol)
        ),
        _json,
    )


def order_lookup(node_order_id: str) -> Call:
    return Call(
        _gen.list_orders._get_kwargs(
            limit=UNSET, offset=UNSET, node_order_id=_text("node_order_id", node_order_id)
        ),
        _json,
    )


def cancel_order_op(order_id: str) -> Call:
    return Call(_gen.cancel_order._get_kwargs(_text("order_id", order_id)), _none)


def amend(order_id: str, new_price: Number | None = None, new_qty: Number | None = None) -> Call:
    if new_price is None and new_qty is None:
        raise ValueError("amend: must pass at least one of new_price or new_qty")
    body: dict[str, Any] = {}
    if new_qty is not None:
        if to_decimal(new_qty, name="new_qty") <= 0:
            raise ValueError(f"new_qty must be > 0, got {new_qty!r}")
        body["new_qty_1e8"] = to_1e8(new_qty)
    if new_price is not None:
        if to_decimal(new_price, name="new_price") < 0:
            raise ValueError(f"new_price must be >= 0, got {new_price!r}")
        body["new_constraints"] = {"max_price_1e9": to_1e9(new_price)}
    return amend_raw(order_id, body)


def amend_raw(order_id: str, body: dict[str, Any]) -> Call:
    return Call(
        _gen.amend_order._get_kwargs(_text("order_id", order_id), body=_gen.AmendRequest.from_dict(body)),
        _json,
    )


def redeem(slug: str, venue: str) -> Call:
    return Call(
        _gen.redeem_market._get_kwargs(_text("slug", slug), venue=_text("venue", venue)),
        _record(_gen.RedeemResult.from_dict),
    )


def fills(limit: int = 50, offset: int = 0, symbol: str | None = None) -> Call:
    return Call(
        _gen.list_fills._get_kwargs(
            limit=_positive("limit", limit), offset=_nonneg("offset", offset), symbol=_opt(symbol)
        ),
        _json,
    )


# ----------------------------------------------------------------------------- level 3


def graph_status(graph_id: str) -> Call:
    return Call(
        _gen.get_execution_graph._get_kwargs(_text("graph_id", graph_id)), _record(_gen.GraphStatus.from_dict)
    )


def graph_cancel(graph_id: str) -> Call:
    return Call(_gen.cancel_execution_graph._get_kwargs(_text("graph_id", graph_id)), _none)


def graph_resume(graph_id: str) -> Call:
    return Call(_gen.resume_execution_graph._get_kwargs(_text("graph_id", graph_id)), _none)


def graph_id_of(graph_or_order_id: str) -> str:
    """The graph a graph id or node order id belongs to.

    Node order ids look like ``graph:<graph_id>:<node_id>:<seq>`` (the official SDK keeps the part before the
    first ``:``, i.e. the literal word ``graph``, and cancels nothing useful); legacy ids ``<graph_id>:<node>:<seq>``
    are handled too.
    """
    value = _text("graph_or_order_id", graph_or_order_id)
    parts = value.split(":")
    if len(parts) == 1:
        return value
    if parts[0] == "graph" and len(parts) >= 2 and parts[1]:
        return parts[1]
    if parts[0]:
        return parts[0]
    raise ValueError(f"cannot find a graph id in {graph_or_order_id!r}")


# ----------------------------------------------------------------------------- level 4


def deploy_algo(name: str, wasm_path: str | Path, symbols: Iterable[str]) -> Call:
    path = Path(wasm_path)
    if not path.is_file():
        raise ValueError(f"wasm_path {str(wasm_path)!r} is not a readable file")
    syms = [_text("symbols item", s) for s in ([symbols] if isinstance(symbols, str) else symbols)]
    body = {
        "name": _text("name", name),
        "wasm_base64": base64.b64encode(path.read_bytes()).decode("ascii"),
        "symbols": syms,
        "start_immediately": True,
    }
    return Call(
        _gen.create_deployment._get_kwargs(body=_gen.DeploymentRequest.from_dict(body)),
        _record(_gen.Deployment.from_dict),
    )


def algo_status(deployment_id: str) -> Call:
    return Call(_gen.get_deployment._get_kwargs(_text("deployment_id", deployment_id)), _json)


def algo_start(deployment_id: str) -> Call:
    return Call(_gen.start_deployment._get_kwargs(_text("deployment_id", deployment_id)), _none)


def algo_stop(deployment_id: str) -> Call:
    return Call(_gen.stop_deployment._get_kwargs(_text("deployment_id", deployment_id)), _none)


def algo_undeploy(deployment_id: str) -> Call:
    return Call(_gen.delete_deployment._get_kwargs(_text("deployment_id", deployment_id)), _none)


def algo_logs(deployment_id: str, limit: int = 200) -> Call:
    return Call(
        _gen.get_deployment_logs._get_kwargs(
            _text("deployment_id", deployment_id), limit=_positive("limit", limit)
        ),
        _json,
    )


def algo_mesh(deployment_id: str) -> Call:
    return Call(_gen.get_deployment_mesh._get_kwargs(_text("deployment_id", deployment_id)), _json)


def algos(detail: str | None = None) -> Call:
    return Call(_gen.list_algos._get_kwargs(detail=_opt(detail)), _json)


def algo(symbol: str) -> Call:
    return Call(_gen.get_algo._get_kwargs(_text("symbol", symbol)), _json)


def algo_start_by_symbol(symbol: str) -> Call:
    return Call(_gen.start_algo._get_kwargs(_text("symbol", symbol)), _json)


def algo_stop_by_symbol(symbol: str) -> Call:
    return Call(_gen.stop_algo._get_kwargs(_text("symbol", symbol)), _json)


def algo_logs_by_symbol(symbol: str) -> Call:
    return Call(_gen.get_algo_logs._get_kwargs(_text("symbol", symbol)), _json)


def algo_stats(symbol: str) -> Call:
    return Call(_gen.get_algo_stats._get_kwargs(_text("symbol", symbol)), _json)


def create_strategy(
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
) -> Call:
    body: dict[str, Any] = {
        "name": _text("name", name),
        "runtime": _text("runtime", runtime),
        "entrypoint": _text("entrypoint", entrypoint),
        "artifact_base64": _text("artifact_base64", artifact_base64),
        "start_immediately": bool(start_immediately),
    }
    for key, value in (
        ("manifest", manifest),
        ("placement", placement),
        ("risk", risk),
        ("resources", resources),
    ):
        if value is not None:
            body[key] = value
    if sequence_api_key:
        register_secret(sequence_api_key)
        body["sequence_api_key"] = sequence_api_key
    if env:
        body["env"] = dict(env)
    if secrets:
        for value in secrets.values():
            if isinstance(value, str) and value:
                register_secret(value)
        body["secrets"] = dict(secrets)
    return Call(_gen.create_strategy_api._get_kwargs(body=_gen.StrategyRequest.from_dict(body)), _json)


def strategies() -> Call:
    return Call(_gen.list_strategies._get_kwargs(), _json)


def strategy(strategy_id: str) -> Call:
    return Call(_gen.get_strategy._get_kwargs(_text("strategy_id", strategy_id)), _json)


def strategy_start(strategy_id: str) -> Call:
    return Call(_gen.start_strategy._get_kwargs(_text("strategy_id", strategy_id)), _json)


def strategy_stop(strategy_id: str) -> Call:
    return Call(_gen.stop_strategy._get_kwargs(_text("strategy_id", strategy_id)), _json)


def strategy_logs(strategy_id: str, run_id: str | None = None) -> Call:
    return Call(
        _gen.get_strategy_logs._get_kwargs(_text("strategy_id", strategy_id), run_id=_opt(run_id)), _json
    )


def strategy_delete(strategy_id: str) -> Call:
    return Call(_gen.delete_strategy._get_kwargs(_text("strategy_id", strategy_id)), _json)


# ----------------------------------------------------------------------------- level 5


def tca(symbol: str | None = None) -> Call:
    return Call(_gen.get_tca._get_kwargs(symbol=_opt(symbol)), _record_or_json(_gen.TcaReport.from_dict))


def intel(symbol: str) -> Call:
    return Call(_gen.get_venue_intelligence._get_kwargs(symbol=_text("symbol", symbol)), _json)


def slippage(symbol: str, side: str = "buy") -> Call:
    return Call(
        _gen.get_slippage_curve._get_kwargs(
            symbol=_text("symbol", symbol), side=_side(side), sizes=SLIPPAGE_SIZES
        ),
        _json,
    )


def routing(symbol: str, side: str = "buy", qty: Number = 1.0) -> Call:
    return Call(
        _gen.get_routing._get_kwargs(symbol=_text("symbol", symbol), side=_side(side), qty=_human_qty(qty)),
        _json,
    )


def depth(symbol: str) -> Call:
    return Call(_gen.get_depth._get_kwargs(symbol=_text("symbol", symbol)), _json)


def polymarket_rewards(token_id: str | None = None) -> Call:
    if token_id is None:
        return Call(
            _gen.list_polymarket_rewards._get_kwargs(),
            lambda data: records(data, _gen.PolymarketReward.from_dict) if isinstance(data, list) else data,
        )
    return Call(
        _gen.get_polymarket_rewards._get_kwargs(_text("token_id", token_id)),
        _record_or_json(_gen.PolymarketReward.from_dict),
    )


def forecast(symbol: str, side: str, qty: Number) -> Call:
    return Call(
        _gen.get_execution_forecast._get_kwargs(
            symbol=_text("symbol", symbol), side=_side(side), qty=_human_qty(qty)
        ),
        _json,
    )


def execution_live(node_order_id: str) -> Call:
    return Call(_gen.get_execution_live._get_kwargs(_text("node_order_id", node_order_id)), _json)


def execution_review(node_order_id: str) -> Call:
    return Call(_gen.get_execution_review._get_kwargs(_text("node_order_id", node_order_id)), _json)


def execution_summary() -> Call:
    return Call(_gen.get_execution_summary._get_kwargs(), _json)


def trace(node_order_id: str) -> Call:
    return Call(
        _gen.list_traces._get_kwargs(node_order_id=_text("node_order_id", node_order_id), limit=100), _json
    )
