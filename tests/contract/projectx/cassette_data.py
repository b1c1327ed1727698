"""The ProjectX REST interactions, as data built from the reference's documented examples.

Nobody can reach the Gateway from here, so every cassette in
``tests/cassettes/projectx/`` is written from these interactions: response bodies
are the ``example``s of ``specs/projectx/openapi.yaml`` (which come from reference
projectx.md §1.3 and §3), request bodies are the reference's request samples in
the exact form the facade sends them (UTC ``+00:00`` timestamps, unset optional
fields omitted, an explicit ``customTag``). Regenerate with::

    .venv/bin/python -m tests.contract.projectx.cassette_data

``make record PROVIDER=projectx`` replaces them with live recordings through the
same scrubbing hooks (tokens, API keys and passwords in bodies become ``REDACTED``).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.cassettes import Interaction, vcr_config, write_all
from tests.support.spec_validation import load_spec

BASE = "https://api.topstepx.com"
USERNAME = "trader1"
#: Placeholder credentials for replay; a live recording would use .env (scrubbed before writing).
API_KEY = "px-placeholder-api-key-0000"
TOKEN = "px-placeholder-token-0000"


def example(path: str, name: str | None = None, method: str = "post") -> Any:
    """The response example the spec documents for ``method path`` (``name`` picks one of several)."""
    media = load_spec("projectx")["paths"][path][method]["responses"]["200"]["content"]
    media = media.get("application/json") or media["text/plain"]
    if "example" in media:
        return copy.deepcopy(media["example"])
    examples = media["examples"]
    return copy.deepcopy(examples[name or next(iter(examples))]["value"])


def request_example(path: str) -> Any:
    return copy.deepcopy(
        load_spec("projectx")["paths"][path]["post"]["requestBody"]["content"]["application/json"]["example"]
    )


def post(path: str, request: Any, response: Any, status: int = 200, **kw: Any) -> Interaction:
    return Interaction("POST", f"{BASE}{path}", status, response=response, request=request, **kw)


PLACE_BODY = {
    "accountId": 465,
    "contractId": "CON.F.US.DA6.M25",
    "type": 2,
    "side": 1,
    "size": 1,
    "customTag": "sw-contract-1",
    # The DOCS sample sends a stop-loss of type 1 (Limit), which live traffic shows the Gateway refuses;
    # the facade sends the observed form (type 4 Stop) with a sell-side positive offset.
    "stopLossBracket": {"ticks": 10, "type": 4},
    "takeProfitBracket": {"ticks": -20, "type": 1},
}
LOGIN_BODY = {"userName": USERNAME, "apiKey": API_KEY}
ENVELOPE_ERROR = {"success": False, "errorMessage": None}


def interactions() -> dict[str, list[Interaction]]:
    p = "/api/"
    return {
        # -- auth --------------------------------------------------------------------------------
        "test_login_key_success": [
            post(p + "Auth/loginKey", LOGIN_BODY, example(p + "Auth/loginKey", "success"))
        ],
        "test_login_key_invalid_credentials": [
            post(p + "Auth/loginKey", LOGIN_BODY, example(p + "Auth/loginKey", "invalidCredentials"))
        ],
        "test_login_key_malformed_body": [
            post(
                p + "Auth/loginKey",
                LOGIN_BODY,
                {
                    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                    "title": "One or more validation errors occurred.",
                    "status": 400,
                    "detail": None,
                    "instance": None,
                },
                status=400,
            )
        ],
        "test_login_app_success": [
            post(
                p + "Auth/loginApp",
                {
                    "userName": USERNAME,
                    "password": "app-password-0000",
                    "deviceId": "device-1",
                    "appId": "app-1",
                    "verifyKey": "verify-key-0000",
                },
                example(p + "Auth/loginApp"),
            )
        ],
        "test_validate_success": [post(p + "Auth/validate", None, example(p + "Auth/validate", "success"))],
        "test_validate_expired_falls_back_to_login": [
            post(p + "Auth/validate", None, example(p + "Auth/validate", "expired")),
            post(p + "Auth/loginKey", LOGIN_BODY, example(p + "Auth/loginKey", "success")),
        ],
        "test_logout_success": [post(p + "Auth/logout", None, example(p + "Auth/logout"))],
        # -- accounts / contracts ----------------------------------------------------------------
        "test_accounts_search_success": [
            post(p + "Account/search", request_example(p + "Account/search"), example(p + "Account/search"))
        ],
        "test_accounts_search_unauthorized_renews_and_replays": [
            post(p + "Account/search", {"onlyActiveAccounts": True}, None, status=401),
            post(p + "Auth/validate", None, example(p + "Auth/validate", "expired")),
            post(p + "Auth/loginKey", LOGIN_BODY, example(p + "Auth/loginKey", "success")),
            post(p + "Account/search", {"onlyActiveAccounts": True}, example(p + "Account/search")),
        ],
        "test_contracts_search_success": [
            post(p + "Contract/search", {"searchText": "NQ", "live": False}, example(p + "Contract/search"))
        ],
        "test_contract_by_id_contract_form": [
            post(
                p + "Contract/searchById",
                request_example(p + "Contract/searchById"),
                example(p + "Contract/searchById", "contract"),
            )
        ],
        "test_contract_by_id_contracts_array_form": [
            post(
                p + "Contract/searchById",
                request_example(p + "Contract/searchById"),
                example(p + "Contract/searchById", "contractsArray"),
            )
        ],
        "test_contract_by_id_not_found": [
            post(
                p + "Contract/searchById",
                request_example(p + "Contract/searchById"),
                example(p + "Contract/searchById", "notFound"),
            )
        ],
        "test_contracts_available_success": [
            post(
                p + "Contract/available",
                request_example(p + "Contract/available"),
                example(p + "Contract/available"),
            )
        ],
        # -- history -----------------------------------------------------------------------------
        "test_retrieve_bars_success": [
            post(
                p + "History/retrieveBars",
                {
                    **request_example(p + "History/retrieveBars"),
                    "startTime": "2024-12-01T00:00:00+00:00",
                    "endTime": "2024-12-31T21:00:00+00:00",
                },
                example(p + "History/retrieveBars", "success"),
            )
        ],
        "test_retrieve_bars_contract_not_found": [
            post(
                p + "History/retrieveBars",
                {
                    **request_example(p + "History/retrieveBars"),
                    "startTime": "2024-12-01T00:00:00+00:00",
                    "endTime": "2024-12-31T21:00:00+00:00",
                },
                example(p + "History/retrieveBars", "contractNotFound"),
            )
        ],
        # -- orders ------------------------------------------------------------------------------
        "test_place_order_success": [
            post(p + "Order/place", PLACE_BODY, example(p + "Order/place", "success"))
        ],
        "test_place_order_rejected_with_id": [
            post(p + "Order/place", PLACE_BODY, example(p + "Order/place", "rejectedWithId"))
        ],
        "test_place_order_rate_limited": [
            post(p + "Order/place", PLACE_BODY, None, status=429, response_headers={"Retry-After": "5"})
        ],
        "test_modify_order_success": [
            post(
                p + "Order/modify",
                {"accountId": 465, "orderId": 26974, "size": 1, "stopPrice": 1604.0},
                example(p + "Order/modify", "success"),
            )
        ],
        "test_modify_order_not_found": [
            post(
                p + "Order/modify",
                {"accountId": 465, "orderId": 26974, "size": 1, "stopPrice": 1604.0},
                example(p + "Order/modify", "orderNotFound"),
            )
        ],
        "test_cancel_order_success": [
            post(
                p + "Order/cancel",
                request_example(p + "Order/cancel"),
                example(p + "Order/cancel", "success"),
            )
        ],
        "test_cancel_order_follower_account": [
            post(
                p + "Order/cancel",
                request_example(p + "Order/cancel"),
                example(p + "Order/cancel", "accountRejected"),
            )
        ],
        "test_search_orders_success": [
            post(
                p + "Order/search",
                request_example(p + "Order/search"),
                example(p + "Order/search", "success"),
            )
        ],
        "test_search_orders_account_not_found": [
            post(
                p + "Order/search",
                request_example(p + "Order/search"),
                example(p + "Order/search", "accountNotFound"),
            )
        ],
        "test_search_open_orders_success": [
            post(
                p + "Order/searchOpen",
                request_example(p + "Order/searchOpen"),
                example(p + "Order/searchOpen"),
            )
        ],
        "test_search_open_orders_account_not_found": [
            post(
                p + "Order/searchOpen",
                request_example(p + "Order/searchOpen"),
                {"orders": None, "errorCode": 1, **ENVELOPE_ERROR},
            )
        ],
        "test_order_by_id_success": [
            post(
                p + "Order/searchById",
                request_example(p + "Order/searchById"),
                example(p + "Order/searchById", "success"),
            )
        ],
        "test_order_by_id_not_found": [
            post(
                p + "Order/searchById",
                request_example(p + "Order/searchById"),
                example(p + "Order/searchById", "notFound"),
            )
        ],
        "test_query_orders_success": [
            post(
                p + "Order/v2/query",
                {
                    "filter": {
                        "accountId": 704,
                        "statuses": [1, 8],
                        "contractId": "CON.F.US.MNQ.U26",
                        "createdAfter": "2026-09-01T00:00:00+00:00",
                    },
                    "pageSize": 50,
                    "pageOffset": 0,
                    "sortBy": 0,
                    "sortDirection": 1,
                    "includeTotalCount": True,
                },
                example(p + "Order/v2/query"),
            )
        ],
        "test_query_orders_validation_error": [
            post(
                p + "Order/v2/query",
                {
                    "filter": {"accountId": 704},
                    "pageSize": 100000,
                    "pageOffset": 0,
                    "sortBy": 0,
                    "sortDirection": 0,
                    "includeTotalCount": True,
                },
                {
                    "type": "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                    "title": "One or more validation errors occurred.",
                    "status": 400,
                    "detail": "PageSize must be between 1 and 1000.",
                    "instance": "/api/Order/v2/query",
                },
                status=400,
            )
        ],
        # -- positions / trades / status ---------------------------------------------------------
        "test_search_open_positions_success": [
            post(
                p + "Position/searchOpen",
                request_example(p + "Position/searchOpen"),
                example(p + "Position/searchOpen"),
            )
        ],
        "test_search_open_positions_account_not_found": [
            post(
                p + "Position/searchOpen",
                request_example(p + "Position/searchOpen"),
                {"positions": None, "errorCode": 1, **ENVELOPE_ERROR},
            )
        ],
        "test_close_position_success": [
            post(
                p + "Position/closeContract",
                request_example(p + "Position/closeContract"),
                example(p + "Position/closeContract", "success"),
            )
        ],
        "test_close_position_not_found": [
            post(
                p + "Position/closeContract",
                request_example(p + "Position/closeContract"),
                example(p + "Position/closeContract", "positionNotFound"),
            )
        ],
        "test_partial_close_success": [
            post(
                p + "Position/partialCloseContract",
                request_example(p + "Position/partialCloseContract"),
                example(p + "Position/partialCloseContract", "success"),
            )
        ],
        "test_partial_close_order_rejected": [
            post(
                p + "Position/partialCloseContract",
                request_example(p + "Position/partialCloseContract"),
                example(p + "Position/partialCloseContract", "orderRejected"),
            )
        ],
        "test_search_trades_success": [
            post(
                p + "Trade/search",
                {
                    "accountId": 203,
                    "startTimestamp": "2025-01-20T15:47:39.882000+00:00",
                    "endTimestamp": "2025-01-30T15:47:39.882000+00:00",
                },
                example(p + "Trade/search"),
            )
        ],
        "test_search_trades_account_not_found": [
            post(
                p + "Trade/search",
                {"accountId": 203, "startTimestamp": "2025-01-20T15:47:39.882000+00:00"},
                {"trades": None, "errorCode": 1, **ENVELOPE_ERROR},
            )
        ],
        "test_logout_invalid_session": [post(p + "Auth/logout", None, {"errorCode": 1, **ENVELOPE_ERROR})],
        "test_ping_success": [
            Interaction(
                "GET", f"{BASE}/api/Status/ping", 200, response=example("/api/Status/ping", method="get")
            )
        ],
    }


def main() -> None:
    for path in write_all("projectx", interactions(), **vcr_config()):
        print(path)


if __name__ == "__main__":
    main()
