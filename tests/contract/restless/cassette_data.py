"""The Restless REST interactions, as data built from the reference's documented examples.

Nobody can reach the live API from here, so every cassette in
``tests/cassettes/restless/`` is written from these interactions (request bodies
from reference §3.1–§3.2, response bodies from the ``example``s of
``specs/restless/openapi.yaml``, which come from reference §3.3). Regenerate with::

    .venv/bin/python -m tests.contract.restless.cassette_data

``make record PROVIDER=restless`` replaces them with live recordings through the
same scrubbing hooks (:func:`restless_vcr_config`).
"""

from __future__ import annotations

import copy
import os
import re
from typing import Any

from tests.support.cassettes import REDACTED, Interaction, vcr_config, write_all
from tests.support.spec_validation import load_spec

BASE = "https://api.restlessapi.stream"
#: The key used in replay; ``make record`` reads the real one from RESTLESS_API_KEY (.env).
PLACEHOLDER_KEY = "rs_" + "0123456789abcdef" * 4
_KEY_PATTERN = re.compile(rb"rs_[0-9A-Za-z]{8,}")


def api_key() -> str:
    """The live key from the environment or ``.env`` (``make record``), else the placeholder."""
    from dotenv import load_dotenv

    load_dotenv()
    return os.environ.get("RESTLESS_API_KEY") or PLACEHOLDER_KEY


def scrub_restless_response(response: dict[str, Any]) -> dict[str, Any]:
    """Restless echoes keys in responses (validate-api-key's ``id``): mask anything key-shaped."""
    body = response.get("body", {}).get("string")
    if isinstance(body, str):
        body = body.encode()
    if body:
        response["body"]["string"] = _KEY_PATTERN.sub(REDACTED.encode(), body)
    return response


def restless_vcr_config() -> dict[str, Any]:
    return vcr_config(response_scrubber=scrub_restless_response)


def _example(path: str, method: str, status: str = "200") -> Any:
    """The response example the spec documents for ``method path`` (first one when several)."""
    media = load_spec("restless")["paths"][path][method]["responses"][status]["content"]["application/json"]
    if "example" in media:
        return copy.deepcopy(media["example"])
    first = next(iter(media["examples"].values()))
    if "$ref" in first:
        name = first["$ref"].rsplit("/", 1)[-1]
        first = load_spec("restless")["components"]["examples"][name]
    return copy.deepcopy(first["value"])


def _error(status: str) -> Any:
    name = {"400": "BadRequest", "401": "Unauthorized", "404": "NotFound"}[status]
    return copy.deepcopy(
        load_spec("restless")["components"]["responses"][name]["content"]["application/json"]["example"]
    )


def _stream_list() -> Any:
    media = load_spec("restless")["paths"]["/streams"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]
    return copy.deepcopy(media["examples"]["one"]["value"])


CREATE_BODY = {
    "name": "Orders",
    "description": "Live order feed",
    "status": "ACTIVE",
    "method": "GET",
    "url": "https://api.example.com/orders",
    "headers": {"Accept": "application/json", "X_Trace_Id": "t-1"},
    "payloadMode": "FULL_DATA",
    "pollingInterval": 30,
    "pollingStrategies": [{"startTime": "09:00", "endTime": "17:00", "intervalSeconds": 5}],
}


def interactions() -> dict[str, list[Interaction]]:
    key = api_key()
    sid = "stream_123"
    return {
        "list_streams": [
            Interaction("GET", f"{BASE}/streams?limit=20&offset=0", 200, response=_stream_list())
        ],
        "list_streams_unauthorized": [
            Interaction("GET", f"{BASE}/streams?limit=5&offset=10", 401, response=_error("401"))
        ],
        "get_stream": [
            Interaction("GET", f"{BASE}/streams/{sid}", 200, response=_example("/streams/{streamId}", "get"))
        ],
        "get_stream_not_found": [Interaction("GET", f"{BASE}/streams/missing", 404, response=_error("404"))],
        "create_stream": [
            Interaction(
                "POST",
                f"{BASE}/streams",
                201,
                request={**CREATE_BODY, "apiKey": key},
                response=_example("/streams", "post", "201"),
            )
        ],
        "create_stream_bad_request": [
            Interaction(
                "POST",
                f"{BASE}/streams",
                400,
                request={"name": "Orders", "pollingInterval": -1, "apiKey": key},
                response=_error("400"),
            )
        ],
        "update_stream": [
            Interaction(
                "PATCH",
                f"{BASE}/streams/{sid}",
                200,
                request={"name": "Orders v2", "pollingInterval": 60, "apiKey": key},
                response={
                    **_example("/streams/{streamId}", "patch"),
                    "name": "Orders v2",
                    "pollingInterval": 60,
                },
            )
        ],
        "update_stream_not_found": [
            Interaction(
                "PATCH",
                f"{BASE}/streams/missing",
                404,
                request={"name": "x", "apiKey": key},
                response=_error("404"),
            )
        ],
        "start_stream": [
            Interaction(
                "POST",
                f"{BASE}/streams/{sid}/start",
                200,
                response=_example("/streams/{streamId}/start", "post"),
            )
        ],
        "start_stream_not_found": [
            Interaction("POST", f"{BASE}/streams/missing/start", 404, response=_error("404"))
        ],
        "stop_stream": [
            Interaction(
                "POST",
                f"{BASE}/streams/{sid}/stop",
                200,
                response=_example("/streams/{streamId}/stop", "post"),
            )
        ],
        "stop_stream_not_found": [
            Interaction("POST", f"{BASE}/streams/missing/stop", 404, response=_error("404"))
        ],
        "delete_stream": [
            Interaction(
                "DELETE", f"{BASE}/streams/{sid}", 200, response=_example("/streams/{streamId}", "delete")
            )
        ],
        "delete_stream_not_found": [
            Interaction("DELETE", f"{BASE}/streams/missing", 404, response=_error("404"))
        ],
        "validate_stream_api_key": [
            Interaction(
                "POST",
                f"{BASE}/streams/validate-api-key",
                200,
                request={"apiKey": key},
                response={"id": key, "affected": True},
            )
        ],
        "validate_stream_api_key_unauthorized": [
            Interaction(
                "POST",
                f"{BASE}/streams/validate-api-key",
                401,
                request={"apiKey": "rs_revoked0000"},
                response=_error("401"),
            )
        ],
        "credit_usage_stats": [
            Interaction(
                "GET",
                f"{BASE}/streams/{sid}/credit-usage-stats",
                200,
                response=_example("/streams/{streamId}/credit-usage-stats", "get"),
            )
        ],
        "credit_usage_stats_not_found": [
            Interaction("GET", f"{BASE}/streams/missing/credit-usage-stats", 404, response=_error("404"))
        ],
        "connection_snippets": [
            Interaction(
                "POST",
                f"{BASE}/streams/connection-snippets",
                200,
                request={"streamId": sid, "language": "python"},
                response=_example("/streams/connection-snippets", "post"),
            )
        ],
        "connection_snippets_not_found": [
            Interaction(
                "POST",
                f"{BASE}/streams/connection-snippets",
                404,
                request={"streamId": "missing", "language": "python"},
                response=_error("404"),
            )
        ],
        "direct_setup": [
            Interaction(
                "POST",
                f"{BASE}/streams/direct/setup",
                200,
                request={
                    "method": "POST",
                    "url": "https://api.example.com/search",
                    "body": {"query": "restless", "page_size": 10},
                    "language": "python",
                },
                response=_example("/streams/direct/setup", "post"),
            )
        ],
        "direct_setup_bad_request": [
            Interaction(
                "POST",
                f"{BASE}/streams/direct/setup",
                400,
                request={"url": "not a url", "language": "python"},
                response=_error("400"),
            )
        ],
        "direct_session": [
            Interaction(
                "POST",
                f"{BASE}/streams/direct/sessions",
                201,
                request={
                    "dedupeKey": "orders-feed-v1",
                    "method": "GET",
                    "url": "https://api.example.com/orders",
                    "pollingInterval": 30,
                },
                response=_example("/streams/direct/sessions", "post", "201"),
            )
        ],
        "direct_session_bad_request": [
            Interaction(
                "POST",
                f"{BASE}/streams/direct/sessions",
                400,
                request={"url": "https://api.example.com/orders", "pollingInterval": 0},
                response=_error("400"),
            )
        ],
    }


def main() -> None:
    for path in write_all("restless", interactions(), **restless_vcr_config()):
        print(path)


if __name__ == "__main__":
    main()
