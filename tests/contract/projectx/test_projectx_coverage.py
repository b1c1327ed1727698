"""Every ProjectX operation in the spec has a success cassette exercised by a contract test."""

from __future__ import annotations

from tests.support.cassettes import CASSETTES


def test_every_operation_has_a_cassette() -> None:
    from tests.support.spec_validation import load_spec

    ops = {op["operationId"] for item in load_spec("projectx")["paths"].values() for op in item.values()}
    covered = {
        "loginKey": "test_login_key_success",
        "loginApp": "test_login_app_success",
        "validateToken": "test_validate_success",
        "logout": "test_logout_success",
        "searchAccounts": "test_accounts_search_success",
        "searchContracts": "test_contracts_search_success",
        "searchContractById": "test_contract_by_id_contract_form",
        "listAvailableContracts": "test_contracts_available_success",
        "retrieveBars": "test_retrieve_bars_success",
        "placeOrder": "test_place_order_success",
        "modifyOrder": "test_modify_order_success",
        "cancelOrder": "test_cancel_order_success",
        "searchOrders": "test_search_orders_success",
        "searchOpenOrders": "test_search_open_orders_success",
        "searchOrderById": "test_order_by_id_success",
        "queryOrders": "test_query_orders_success",
        "searchOpenPositions": "test_search_open_positions_success",
        "closeContractPosition": "test_close_position_success",
        "partialCloseContractPosition": "test_partial_close_success",
        "searchTrades": "test_search_trades_success",
        "ping": "test_ping_success",
    }
    assert ops == set(covered)
    for name in covered.values():
        assert (CASSETTES / "projectx" / f"{name}.yaml").is_file(), name
