"""Restless REST contract: every operation through the public facade, replayed from its cassette.

Each test: calls ``specwire.restless`` (VCR matches method, path, query and JSON
body), validates what the cassette holds against ``specs/restless/openapi.yaml``
(request body and response), and checks the typed result field by field — or, for
the documented failures, the typed error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from specwire.core.errors import AuthenticationError, BadRequestError, NotFoundError
from specwire.restless import (
    AsyncRestlessStreamClient,
    BaseActionResponse,
    ConnectionSnippetsResponse,
    DirectSessionResponse,
    DirectSetupResponse,
    HttpMethod,
    PayloadMode,
    RestlessStreamAPIError,
    RestlessStreamClient,
    Stream,
    StreamCreditUsageStats,
    StreamsResponse,
    StreamStatus,
)
from specwire_gen.restless.models.stream_create_request import StreamCreateRequest
from specwire_gen.restless.types import Unset

from tests.contract.restless.cassette_data import api_key, restless_vcr_config
from tests.support.cassettes import CASSETTES, recorded
from tests.support.spec_validation import validate_request_body, validate_response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return restless_vcr_config()


@pytest.fixture
def client() -> Any:
    with RestlessStreamClient(api_key(), max_retries=0) as c:
        yield c


def check_cassette(name: str) -> dict[str, Any]:
    """Validate the cassette's request and response against the spec; return the interaction."""
    [interaction] = recorded(Path(CASSETTES / "restless" / f"{name}.yaml"))
    req, resp = interaction["request"], interaction["response"]
    path = urlsplit(req["uri"]).path
    if req.get("body"):
        validate_request_body("restless", req["method"], path, json.loads(req["body"]))
    body = resp["body"]["string"]
    validate_response(
        "restless", req["method"], path, resp["status"]["code"], json.loads(body) if body else None
    )
    assert "0123456789abcdef0123" not in json.dumps(interaction)  # the placeholder key never lands
    return interaction


def assert_orders_stream(stream: Stream) -> None:
    assert isinstance(stream, Stream)
    assert stream.id == "stream_123"
    assert stream.business_id == "biz_1"
    assert stream.name == "Orders"
    assert stream.description == "Live order feed"
    assert stream.status is StreamStatus.ACTIVE
    assert stream.method is HttpMethod.GET
    assert stream.url == "https://api.example.com/orders"
    assert stream.headers is not None and not isinstance(stream.headers, Unset)
    assert stream.headers.to_dict() == {"Accept": "application/json"}
    assert stream.payload_mode is PayloadMode.FULL_DATA
    assert stream.hmac_signature_enabled is False
    assert stream.polling_interval == 30
    assert stream.created_at == "2026-01-01T00:00:00.000Z"
    assert stream.sse_url == "https://stream.restlessapi.stream?streamId=stream_123"
    assert stream.ws_url == "wss://stream.restlessapi.stream/ws?streamId=stream_123"


# -- 1 list -------------------------------------------------------------------------------------


@pytest.mark.vcr("list_streams.yaml")
def test_list_streams(client: RestlessStreamClient) -> None:
    page = client.streams.list()
    check_cassette("list_streams")
    assert isinstance(page, StreamsResponse)
    assert len(page.streams) == 1
    assert_orders_stream(page.streams[0])
    assert not isinstance(page.pagination_info, Unset) and page.pagination_info.has_next_page is False


@pytest.mark.vcr("list_streams_unauthorized.yaml")
def test_list_streams_unauthorized(client: RestlessStreamClient) -> None:
    with pytest.raises(AuthenticationError) as info:
        client.list_streams(limit=5, offset=10)
    check_cassette("list_streams_unauthorized")
    err = info.value
    assert isinstance(err, RestlessStreamAPIError)
    assert (err.status_code, err.message) == (401, "Invalid API key")
    assert str(err) == "Restless Stream API error 401: Invalid API key"


# -- 2 get --------------------------------------------------------------------------------------


@pytest.mark.vcr("get_stream.yaml")
def test_get_stream(client: RestlessStreamClient) -> None:
    stream = client.streams.get("stream_123")
    check_cassette("get_stream")
    assert_orders_stream(stream)


@pytest.mark.vcr("get_stream_not_found.yaml")
def test_get_stream_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError) as info:
        client.get_stream("missing")
    check_cassette("get_stream_not_found")
    assert isinstance(info.value, RestlessStreamAPIError)
    assert info.value.status_code == 404 and info.value.message == "Stream not found"


# -- 3 create -----------------------------------------------------------------------------------


@pytest.mark.vcr("create_stream.yaml")
def test_create_stream_from_kwargs(client: RestlessStreamClient) -> None:
    stream = client.streams.create(
        name="Orders",
        description="Live order feed",
        status="ACTIVE",
        method="GET",
        url="https://api.example.com/orders",
        headers={"Accept": "application/json", "X_Trace_Id": "t-1"},  # user keys: sent untouched
        payload_mode="FULL_DATA",
        polling_interval=30,
        polling_strategies=[{"start_time": "09:00", "end_time": "17:00", "interval_seconds": 5}],
    )
    interaction = check_cassette("create_stream")
    sent = json.loads(interaction["request"]["body"])
    assert sent["apiKey"] == "REDACTED"  # injected from the client's key, scrubbed on record
    assert sent["headers"] == {"Accept": "application/json", "X_Trace_Id": "t-1"}
    assert_orders_stream(stream)


@pytest.mark.vcr("create_stream.yaml")
def test_create_stream_from_model_and_mapping(client: RestlessStreamClient) -> None:
    model = StreamCreateRequest.from_dict(
        {
            "name": "Orders",
            "description": "Live order feed",
            "status": "ACTIVE",
            "method": "GET",
            "url": "https://api.example.com/orders",
            "payloadMode": "FULL_DATA",
        }
    )
    extra = {
        "headers": {"Accept": "application/json", "X_Trace_Id": "t-1"},
        "pollingInterval": 30,
        "pollingStrategies": [{"startTime": "09:00", "endTime": "17:00", "intervalSeconds": 5}],
    }
    stream = client.create_stream(model, **extra)
    assert_orders_stream(stream)


@pytest.mark.vcr("create_stream_bad_request.yaml")
def test_create_stream_bad_request(client: RestlessStreamClient) -> None:
    with pytest.raises(BadRequestError) as info:
        client.create_stream({"name": "Orders"}, polling_interval=-1)
    check_cassette("create_stream_bad_request")
    assert info.value.status_code == 400
    assert info.value.message == "pollingInterval must be a positive integer"


# -- 4 update -----------------------------------------------------------------------------------


@pytest.mark.vcr("update_stream.yaml")
def test_update_stream(client: RestlessStreamClient) -> None:
    stream = client.streams.update("stream_123", name="Orders v2", polling_interval=60)
    check_cassette("update_stream")
    assert stream.name == "Orders v2" and stream.polling_interval == 60 and stream.id == "stream_123"


@pytest.mark.vcr("update_stream_not_found.yaml")
def test_update_stream_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError):
        client.update_stream("missing", {"name": "x"})
    check_cassette("update_stream_not_found")


# -- 5/6 start, stop ----------------------------------------------------------------------------


@pytest.mark.vcr("start_stream.yaml")
def test_start_stream(client: RestlessStreamClient) -> None:
    stream = client.streams.start("stream_123")
    interaction = check_cassette("start_stream")
    assert interaction["request"]["body"] is None  # no body, as the official SDK
    assert_orders_stream(stream)


@pytest.mark.vcr("start_stream_not_found.yaml")
def test_start_stream_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError):
        client.start_stream("missing")
    check_cassette("start_stream_not_found")


@pytest.mark.vcr("stop_stream.yaml")
def test_stop_stream(client: RestlessStreamClient) -> None:
    stream = client.streams.stop("stream_123")
    check_cassette("stop_stream")
    assert stream.status is StreamStatus.INACTIVE and stream.id == "stream_123"
    assert isinstance(stream.description, Unset) and isinstance(stream.sse_url, Unset)


@pytest.mark.vcr("stop_stream_not_found.yaml")
def test_stop_stream_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError):
        client.stop_stream("missing")
    check_cassette("stop_stream_not_found")


# -- 7 delete -----------------------------------------------------------------------------------


@pytest.mark.vcr("delete_stream.yaml")
def test_delete_stream(client: RestlessStreamClient) -> None:
    result = client.streams.delete("stream_123")
    check_cassette("delete_stream")
    assert isinstance(result, BaseActionResponse)
    assert (result.id, result.affected) == ("stream_123", True)


@pytest.mark.vcr("delete_stream_not_found.yaml")
def test_delete_stream_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError):
        client.delete_stream("missing")
    check_cassette("delete_stream_not_found")


# -- 8 validate-api-key -------------------------------------------------------------------------


@pytest.mark.vcr("validate_stream_api_key.yaml")
def test_validate_stream_api_key_defaults_to_the_client_key(client: RestlessStreamClient) -> None:
    result = client.streams.validate_api_key()
    check_cassette("validate_stream_api_key")
    assert result.affected is True
    assert result.id == "REDACTED"  # the echoed key is scrubbed from the cassette


@pytest.mark.vcr("validate_stream_api_key_unauthorized.yaml")
def test_validate_stream_api_key_unauthorized(client: RestlessStreamClient) -> None:
    with pytest.raises(AuthenticationError):
        client.validate_stream_api_key("rs_revoked0000")
    check_cassette("validate_stream_api_key_unauthorized")


# -- 9 credit usage -----------------------------------------------------------------------------


@pytest.mark.vcr("credit_usage_stats.yaml")
def test_credit_usage_stats(client: RestlessStreamClient) -> None:
    usage = client.streams.credit_usage_stats("stream_123")
    check_cassette("credit_usage_stats")
    assert isinstance(usage, StreamCreditUsageStats)
    assert (usage.total_burned_last_week, usage.total_burned_last_month) == (120, 480)
    [day] = usage.daily_usage
    assert (day.date, day.credits_used) == ("2026-01-01", 17)
    [part] = day.charge_type_breakdown
    assert (part.charge_type, part.credits_used) == ("POLL", 17)


@pytest.mark.vcr("credit_usage_stats_not_found.yaml")
def test_credit_usage_stats_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError):
        client.credit_usage_stats("missing")
    check_cassette("credit_usage_stats_not_found")


# -- 10 connection snippets ---------------------------------------------------------------------


@pytest.mark.vcr("connection_snippets.yaml")
def test_connection_snippets(client: RestlessStreamClient) -> None:
    result = client.streams.connection_snippets(stream_id="stream_123", language="python")
    check_cassette("connection_snippets")
    assert isinstance(result, ConnectionSnippetsResponse)
    assert result.runtime.sse_url == "https://stream.restlessapi.stream?streamId=stream_123"
    assert result.runtime.websocket_url == "wss://stream.restlessapi.stream/ws?streamId=stream_123"
    snippets = result.snippets
    assert snippets.selected_language == "python"
    assert [(lang.label, lang.value) for lang in snippets.available_languages] == [
        ("Python", "python"),
        ("Node.js", "node"),
    ]
    assert snippets.selected_snippets.curl.startswith("curl -N")
    assert "subscribe_websocket" in snippets.selected_snippets.websocket


@pytest.mark.vcr("connection_snippets_not_found.yaml")
def test_connection_snippets_not_found(client: RestlessStreamClient) -> None:
    with pytest.raises(NotFoundError):
        client.connection_snippets({"stream_id": "missing", "language": "python"})
    check_cassette("connection_snippets_not_found")


# -- 11 direct setup ----------------------------------------------------------------------------


@pytest.mark.vcr("direct_setup.yaml")
def test_direct_setup(client: RestlessStreamClient) -> None:
    setup = client.streams.direct_setup(
        method="POST",
        url="https://api.example.com/search",
        body={"query": "restless", "page_size": 10},  # user body keys: sent untouched
        language="python",
    )
    check_cassette("direct_setup")
    assert isinstance(setup, DirectSetupResponse)
    assert setup.commands.header.curl.startswith("curl -N -H 'Authorization: Bearer")
    assert "apiKey=$RESTLESS_API_KEY" in setup.commands.url_param.curl
    assert setup.runtime.auth.api_key_location == "header"
    assert setup.runtime.direct_sse_url.startswith("https://stream.restlessapi.stream?url=")
    assert setup.runtime.direct_websocket_url.startswith("wss://stream.restlessapi.stream/ws?url=")
    config = setup.stream_config
    assert config.target_url == "https://api.example.com/search"
    assert config.method is HttpMethod.POST and config.payload_mode is PayloadMode.FULL_DATA
    assert config.body is not None and not isinstance(config.body, Unset)
    assert config.body.to_dict() == {"query": "restless"}


@pytest.mark.vcr("direct_setup_bad_request.yaml")
def test_direct_setup_bad_request(client: RestlessStreamClient) -> None:
    with pytest.raises(BadRequestError):
        client.direct_setup(url="not a url", language="python")
    check_cassette("direct_setup_bad_request")


# -- 12 direct session --------------------------------------------------------------------------


@pytest.mark.vcr("direct_session.yaml")
def test_direct_session(client: RestlessStreamClient) -> None:
    session = client.streams.direct_session(
        dedupe_key="orders-feed-v1", method="GET", url="https://api.example.com/orders", polling_interval=30
    )
    check_cassette("direct_session")
    assert isinstance(session, DirectSessionResponse)
    assert session.session_id == "sess_1"
    assert session.sse_url == "https://stream.restlessapi.stream?sessionId=sess_1"
    assert session.ws_url == "wss://stream.restlessapi.stream/ws?sessionId=sess_1"
    assert session.expires_at == "2026-01-02T00:00:00.000Z"
    assert session.created is True and session.dedupe_key == "orders-feed-v1"


@pytest.mark.vcr("direct_session_bad_request.yaml")
def test_direct_session_bad_request(client: RestlessStreamClient) -> None:
    with pytest.raises(BadRequestError):
        client.direct_session({"url": "https://api.example.com/orders"}, polling_interval=0)
    check_cassette("direct_session_bad_request")


# -- the async twin over the same cassettes -----------------------------------------------------


@pytest.mark.vcr("list_streams.yaml")
async def test_async_list_streams() -> None:
    async with AsyncRestlessStreamClient(api_key(), max_retries=0) as client:
        page = await client.streams.list()
    assert_orders_stream(page.streams[0])


@pytest.mark.vcr("create_stream.yaml")
async def test_async_create_stream() -> None:
    async with AsyncRestlessStreamClient(api_key(), max_retries=0) as client:
        stream = await client.create_stream(
            {
                "name": "Orders",
                "description": "Live order feed",
                "status": StreamStatus.ACTIVE,
                "method": HttpMethod.GET,
                "url": "https://api.example.com/orders",
            },
            headers={"Accept": "application/json", "X_Trace_Id": "t-1"},
            payload_mode=PayloadMode.FULL_DATA,
            polling_interval=30,
            polling_strategies=[{"startTime": "09:00", "endTime": "17:00", "intervalSeconds": 5}],
        )
    assert_orders_stream(stream)


@pytest.mark.vcr("get_stream_not_found.yaml")
async def test_async_get_stream_not_found() -> None:
    async with AsyncRestlessStreamClient(api_key(), max_retries=0) as client:
        with pytest.raises(NotFoundError) as info:
            await client.streams.get("missing")
    assert isinstance(info.value, RestlessStreamAPIError) and info.value.status_code == 404


@pytest.mark.vcr("direct_session.yaml")
async def test_async_direct_session() -> None:
    async with AsyncRestlessStreamClient(api_key(), max_retries=0) as client:
        session = await client.direct_session(
            {"dedupe_key": "orders-feed-v1", "url": "https://api.example.com/orders"},
            method="GET",
            polling_interval=30,
        )
    assert session.session_id == "sess_1" and session.created is True
