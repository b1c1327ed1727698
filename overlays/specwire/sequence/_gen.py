"""The generated operation modules and models :mod:`._ops` uses, each loaded on first use.

``import specwire.sequence`` must not import every generated endpoint: callers write
``_gen.<name>`` and :func:`specwire.core.lazy.lazy_exports` imports the module the
first time a name is used. Type checkers read the ``TYPE_CHECKING`` imports below, which
must list the same names as the table (``tests/unit/core/test_core_lazy.py`` checks).
"""

# ruff: noqa: F401

from __future__ import annotations

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports

if TYPE_CHECKING:
    from specwire_gen.sequence.api.account import (
        get_account,
        get_balances,
        get_perp_positions,
        get_portfolio_summary,
        get_positions,
        get_unified_positions,
        list_edges,
    )
    from specwire_gen.sequence.api.algos import (
        get_algo,
        get_algo_logs,
        get_algo_stats,
        list_algos,
        start_algo,
        stop_algo,
    )
    from specwire_gen.sequence.api.credentials import (
        delete_venue_credentials,
        list_venue_credentials,
        put_venue_credentials,
    )
    from specwire_gen.sequence.api.deployments import (
        create_deployment,
        delete_deployment,
        get_deployment,
        get_deployment_logs,
        get_deployment_mesh,
        start_deployment,
        stop_deployment,
    )
    from specwire_gen.sequence.api.execution import (
        get_execution_forecast,
        get_execution_live,
        get_execution_review,
        get_execution_summary,
        list_traces,
    )
    from specwire_gen.sequence.api.graphs import (
        cancel_execution_graph,
        get_execution_graph,
        resume_execution_graph,
    )
    from specwire_gen.sequence.api.health import get_health_live
    from specwire_gen.sequence.api.intelligence import (
        get_depth,
        get_polymarket_rewards,
        get_routing,
        get_slippage_curve,
        get_tca,
        get_venue_intelligence,
        list_polymarket_rewards,
    )
    from specwire_gen.sequence.api.marketdata import (
        get_fees,
        get_funding_history,
        get_funding_rates,
        get_price_history,
        list_symbols,
    )
    from specwire_gen.sequence.api.markets import get_settlement, list_markets, redeem_market
    from specwire_gen.sequence.api.orders import (
        amend_order,
        cancel_order,
        list_fills,
        list_orders,
        preview_order,
        submit_order,
    )
    from specwire_gen.sequence.api.quotes import get_quote, list_quotes
    from specwire_gen.sequence.api.quotes import quotes_batch as quotes_batch_api
    from specwire_gen.sequence.api.risk import (
        cancel_all_on_venue as cancel_all_on_venue_api,
    )
    from specwire_gen.sequence.api.risk import (
        clear_kill_switch,
        engage_kill_switch,
        get_risk_limits,
    )
    from specwire_gen.sequence.api.strategies import (
        create_strategy as create_strategy_api,
    )
    from specwire_gen.sequence.api.strategies import (
        delete_strategy,
        get_strategy,
        get_strategy_logs,
        list_strategies,
        start_strategy,
        stop_strategy,
    )
    from specwire_gen.sequence.models import (
        AmendRequest,
        Deployment,
        DeploymentRequest,
        EdgesResponse,
        ExecutionGraphRequest,
        FeesResponse,
        FundingHistory,
        FundingRates,
        GraphStatus,
        GraphSubmission,
        KillSwitchRequest,
        MarketsPage,
        OrderPreview,
        PolymarketReward,
        PreviewRequest,
        PriceHistory,
        Quote,
        QuotesBatchRequest,
        QuotesBatchResponse,
        RedeemResult,
        RiskLimits,
        Settlement,
        StrategyRequest,
        SymbolInfo,
        TcaReport,
        UnifiedPositions,
        VenueConnection,
        VenueCredentials,
    )

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.sequence.api.account": (
                "get_account",
                "get_balances",
                "get_perp_positions",
                "get_portfolio_summary",
                "get_positions",
                "get_unified_positions",
                "list_edges",
            ),
            "specwire_gen.sequence.api.algos": (
                "get_algo",
                "get_algo_logs",
                "get_algo_stats",
                "list_algos",
                "start_algo",
                "stop_algo",
            ),
            "specwire_gen.sequence.api.credentials": (
                "delete_venue_credentials",
                "list_venue_credentials",
                "put_venue_credentials",
            ),
            "specwire_gen.sequence.api.deployments": (
                "create_deployment",
                "delete_deployment",
                "get_deployment",
                "get_deployment_logs",
                "get_deployment_mesh",
                "start_deployment",
                "stop_deployment",
            ),
            "specwire_gen.sequence.api.execution": (
                "get_execution_forecast",
                "get_execution_live",
                "get_execution_review",
                "get_execution_summary",
                "list_traces",
            ),
            "specwire_gen.sequence.api.graphs": (
                "cancel_execution_graph",
                "get_execution_graph",
                "resume_execution_graph",
            ),
            "specwire_gen.sequence.api.health": ("get_health_live",),
            "specwire_gen.sequence.api.intelligence": (
                "get_depth",
                "get_polymarket_rewards",
                "get_routing",
                "get_slippage_curve",
                "get_tca",
                "get_venue_intelligence",
                "list_polymarket_rewards",
            ),
            "specwire_gen.sequence.api.marketdata": (
                "get_fees",
                "get_funding_history",
                "get_funding_rates",
                "get_price_history",
                "list_symbols",
            ),
            "specwire_gen.sequence.api.markets": (
                "get_settlement",
                "list_markets",
                "redeem_market",
            ),
            "specwire_gen.sequence.api.orders": (
                "amend_order",
                "cancel_order",
                "list_fills",
                "list_orders",
                "preview_order",
                "submit_order",
            ),
            "specwire_gen.sequence.api.quotes": (
                "get_quote",
                "list_quotes",
                "quotes_batch as quotes_batch_api",
            ),
            "specwire_gen.sequence.api.risk": (
                "cancel_all_on_venue as cancel_all_on_venue_api",
                "clear_kill_switch",
                "engage_kill_switch",
                "get_risk_limits",
            ),
            "specwire_gen.sequence.api.strategies": (
                "create_strategy as create_strategy_api",
                "delete_strategy",
                "get_strategy",
                "get_strategy_logs",
                "list_strategies",
                "start_strategy",
                "stop_strategy",
            ),
            "specwire_gen.sequence.models": (
                "AmendRequest",
                "Deployment",
                "DeploymentRequest",
                "EdgesResponse",
                "ExecutionGraphRequest",
                "FeesResponse",
                "FundingHistory",
                "FundingRates",
                "GraphStatus",
                "GraphSubmission",
                "KillSwitchRequest",
                "MarketsPage",
                "OrderPreview",
                "PolymarketReward",
                "PreviewRequest",
                "PriceHistory",
                "Quote",
                "QuotesBatchRequest",
                "QuotesBatchResponse",
                "RedeemResult",
                "RiskLimits",
                "Settlement",
                "StrategyRequest",
                "SymbolInfo",
                "TcaReport",
                "UnifiedPositions",
                "VenueConnection",
                "VenueCredentials",
            ),
        },
    )
