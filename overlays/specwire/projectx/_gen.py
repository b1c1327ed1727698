"""The generated operation modules and models :class:`ProjectX`, :class:`AsyncProjectX` and :mod:`._requests` uses, each loaded on first use.

``import specwire.projectx`` must not import every generated endpoint: callers write
``_gen.<name>`` and :func:`specwire.core.lazy.lazy_exports` imports the module the
first time a name is used. Type checkers read the ``TYPE_CHECKING`` imports below, which
must list the same names as the table (``tests/unit/core/test_core_lazy.py`` checks).
"""

# ruff: noqa: F401

from __future__ import annotations

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports

if TYPE_CHECKING:
    from specwire_gen.projectx.api.account import search_accounts
    from specwire_gen.projectx.api.contract import (
        list_available_contracts,
        search_contract_by_id,
        search_contracts,
    )
    from specwire_gen.projectx.api.history import retrieve_bars
    from specwire_gen.projectx.api.order import (
        cancel_order,
        modify_order,
        place_order,
        query_orders,
        search_open_orders,
        search_order_by_id,
        search_orders,
    )
    from specwire_gen.projectx.api.position import (
        close_contract_position,
        partial_close_contract_position,
        search_open_positions,
    )
    from specwire_gen.projectx.api.status import ping
    from specwire_gen.projectx.api.trade import search_trades
    from specwire_gen.projectx.models.cancel_order_request import CancelOrderRequest
    from specwire_gen.projectx.models.close_contract_position_request import CloseContractPositionRequest
    from specwire_gen.projectx.models.list_available_contract_request import ListAvailableContractRequest
    from specwire_gen.projectx.models.modify_order_request import ModifyOrderRequest
    from specwire_gen.projectx.models.order_query_filter import OrderQueryFilter
    from specwire_gen.projectx.models.order_sort_field import OrderSortField
    from specwire_gen.projectx.models.partial_close_contract_position_request import (
        PartialCloseContractPositionRequest,
    )
    from specwire_gen.projectx.models.place_order_bracket import PlaceOrderBracket
    from specwire_gen.projectx.models.place_order_request import PlaceOrderRequest
    from specwire_gen.projectx.models.retrieve_bar_request import RetrieveBarRequest
    from specwire_gen.projectx.models.search_account_request import SearchAccountRequest
    from specwire_gen.projectx.models.search_contract_by_id_request import SearchContractByIdRequest
    from specwire_gen.projectx.models.search_contract_request import SearchContractRequest
    from specwire_gen.projectx.models.search_open_order_request import SearchOpenOrderRequest
    from specwire_gen.projectx.models.search_order_by_id_request import SearchOrderByIdRequest
    from specwire_gen.projectx.models.search_order_request import SearchOrderRequest
    from specwire_gen.projectx.models.search_orders_query_request import SearchOrdersQueryRequest
    from specwire_gen.projectx.models.search_position_request import SearchPositionRequest
    from specwire_gen.projectx.models.search_trade_request import SearchTradeRequest
    from specwire_gen.projectx.models.sort_direction import SortDirection

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.projectx.api.account": ("search_accounts",),
            "specwire_gen.projectx.api.contract": (
                "list_available_contracts",
                "search_contract_by_id",
                "search_contracts",
            ),
            "specwire_gen.projectx.api.history": ("retrieve_bars",),
            "specwire_gen.projectx.api.order": (
                "cancel_order",
                "modify_order",
                "place_order",
                "query_orders",
                "search_open_orders",
                "search_order_by_id",
                "search_orders",
            ),
            "specwire_gen.projectx.api.position": (
                "close_contract_position",
                "partial_close_contract_position",
                "search_open_positions",
            ),
            "specwire_gen.projectx.api.status": ("ping",),
            "specwire_gen.projectx.api.trade": ("search_trades",),
            "specwire_gen.projectx.models.cancel_order_request": ("CancelOrderRequest",),
            "specwire_gen.projectx.models.close_contract_position_request": ("CloseContractPositionRequest",),
            "specwire_gen.projectx.models.list_available_contract_request": ("ListAvailableContractRequest",),
            "specwire_gen.projectx.models.modify_order_request": ("ModifyOrderRequest",),
            "specwire_gen.projectx.models.order_query_filter": ("OrderQueryFilter",),
            "specwire_gen.projectx.models.order_sort_field": ("OrderSortField",),
            "specwire_gen.projectx.models.partial_close_contract_position_request": (
                "PartialCloseContractPositionRequest",
            ),
            "specwire_gen.projectx.models.place_order_bracket": ("PlaceOrderBracket",),
            "specwire_gen.projectx.models.place_order_request": ("PlaceOrderRequest",),
            "specwire_gen.projectx.models.retrieve_bar_request": ("RetrieveBarRequest",),
            "specwire_gen.projectx.models.search_account_request": ("SearchAccountRequest",),
            "specwire_gen.projectx.models.search_contract_by_id_request": ("SearchContractByIdRequest",),
            "specwire_gen.projectx.models.search_contract_request": ("SearchContractRequest",),
            "specwire_gen.projectx.models.search_open_order_request": ("SearchOpenOrderRequest",),
            "specwire_gen.projectx.models.search_order_by_id_request": ("SearchOrderByIdRequest",),
            "specwire_gen.projectx.models.search_order_request": ("SearchOrderRequest",),
            "specwire_gen.projectx.models.search_orders_query_request": ("SearchOrdersQueryRequest",),
            "specwire_gen.projectx.models.search_position_request": ("SearchPositionRequest",),
            "specwire_gen.projectx.models.search_trade_request": ("SearchTradeRequest",),
            "specwire_gen.projectx.models.sort_direction": ("SortDirection",),
        },
    )
