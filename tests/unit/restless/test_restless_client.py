"""The clients' surface, options, bad input (nothing sent) and secrets, over httpx.MockTransport."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
import specwire.restless as restless
from specwire.core.errors import APIConnectionError, ConfigurationError, NotFoundError, ServerError
from specwire.restless import (
    AsyncRestlessStreamClient,
    RestlessModel,
    RestlessStreamAPIError,
    RestlessStreamClient,
    Stream,
)

KEY = "rs_" + "5a" * 32
STREAM = {
    "id": "s1",
    "name": "Orders",
    "status": "ACTIVE",
    "method": "GET",
    "url": "https://api.example.com/orders",
    "payloadMode": "FULL_DATA",
    "pollingInterval": 30,
}

SEED_EXPORTS = {
    "RestlessStreamClient",
    "AsyncRestlessStreamClient",
    "RestlessStreamError",
    "RestlessStreamAPIError",
    "RestlessStreamParseError",
    "compute_hmac_signature",
    "verify_hmac_signature",
    "DEFAULT_STREAM_BASE_URL",
    "build_sse_url",
    "build_websocket_url",
    "build_direct_sse_url",
    "build_direct_websocket_url",
    "to_websocket_url",
    "RestlessModel",
    "HttpMethod",
    "StreamStatus",
    "PayloadMode",
    "PollingStrategy",
    "Stream",
    "StreamsResponse",
    "BaseActionResponse",
    "StreamCreditUsageStats",
    "DailyCreditUsage",
    "CreditUsageChargeTypeBreakdown",
    "ConnectionSnippetsResponse",
    "DirectSetupResponse",
    "DirectSessionResponse",
    "StreamEvent",
    "StreamEventMeta",
    "StreamErrorDetail",
}
SEED_METHODS = [
    "list_streams",
    "get_stream",
    "create_stream",
    "update_stream",
    "start_stream",
    "stop_stream",
    "delete_stream",
    "validate_stream_api_key",
    "credit_usage_stats",
    "connection_snippets",
    "direct_setup",
    "direct_session",
    "subscribe_sse",
    "subscribe_direct_sse",
    "subscribe_websocket",
    "subscribe_direct_websocket",
]
SEED_RESOURCE = [
    "list",
    "get",
    "create",
    "update",
    "start",
    "stop",
    "delete",
    "validate_api_key",
    "credit_usage_stats",
    "connection_snippets",
    "direct_setup",
    "direct_session",
    "subscribe_sse",
    "subscribe_direct_sse",
    "subscribe_websocket",
    "subscribe_direct_websocket",
]


class Recorder:
    def __init__(self, *responses: httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self.responses = list(responses)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.responses:
            return self.responses.pop(0)
        if request.url.path.endswith("validate-api-key"):
            return httpx.Response(200, json={"id": "k", "affected": True})
        if request.url.path.endswith("/sessions"):
            session = {
                "sessionId": "x",
                "wsUrl": "w",
                "sseUrl": "s",
                "expiresAt": "e",
                "created": True,
                "dedupeKey": "d",
            }
            return httpx.Response(201, json=session)
        if request.url.path.endswith("connection-snippets"):
            snippet = {"curl": "c", "wget": "w", "sse": "s", "websocket": "ws"}
            return httpx.Response(
                200,
                json={
                    "runtime": {"sseUrl": "s", "websocketUrl": "w"},
                    "snippets": {
                        "availableLanguages": [],
                        "selectedLanguage": "python",
                        "selectedSnippets": snippet,
                    },
                },
            )
        return httpx.Response(200, json=STREAM)


def client_for(rec: Recorder, **kw: Any) -> RestlessStreamClient:
    return RestlessStreamClient(KEY, base_url="http://api.test", transport=httpx.MockTransport(rec), **kw)


def test_public_surface_matches_the_seed() -> None:
    assert set(restless.__all__) >= SEED_EXPORTS
    for name in SEED_METHODS:
        assert callable(getattr(RestlessStreamClient, name)) and callable(
            getattr(AsyncRestlessStreamClient, name)
        )
    rec = Recorder()
    with client_for(rec) as c:
        for name in SEED_RESOURCE:
            assert callable(getattr(c.streams, name))
    stream = Stream.from_dict(STREAM)
    assert isinstance(stream, RestlessModel) and stream.to_dict() == STREAM


def test_rest_auth_and_wire_shapes() -> None:
    rec = Recorder()
    with client_for(rec) as c:
        c.start_stream("s/1")
        c.validate_stream_api_key()
        c.connection_snippets(stream_id="s1", language="python")
        c.direct_session(url="u", api_key="rs_other", dedupe_key="d")
    start, validate, snippets, session = rec.requests
    assert start.headers["x-api-key"] == KEY and "authorization" not in start.headers
    assert start.url.raw_path == b"/streams/s%2F1/start" and start.content == b""
    assert json.loads(validate.content) == {"apiKey": KEY}
    assert json.loads(snippets.content) == {"streamId": "s1", "language": "python"}  # no apiKey injected
    assert json.loads(session.content) == {"url": "u", "apiKey": "rs_other", "dedupeKey": "d"}


def test_validate_without_any_key_sends_null() -> None:
    rec = Recorder(httpx.Response(200, json={"id": "x", "affected": False}))
    with RestlessStreamClient(base_url="http://api.test", transport=httpx.MockTransport(rec)) as c:
        assert c.validate_stream_api_key().affected is False
    assert json.loads(rec.requests[0].content) == {"apiKey": None}
    assert "x-api-key" not in rec.requests[0].headers


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda c: c.create_stream(5), TypeError, "data must be a mapping"),
        (lambda c: c.create_stream(status="PAUSED"), ValueError, "status must be one of ACTIVE, INACTIVE"),
        (lambda c: c.update_stream("s1", method="FETCH"), ValueError, "method must be one of"),
        (lambda c: c.get_stream(""), ValueError, "stream_id must be a non-empty string"),
        (lambda c: c.delete_stream(None), ValueError, "stream_id"),
        (lambda c: c.list_streams(limit=0), ValueError, "limit must be an integer >= 1"),
        (lambda c: c.list_streams(offset=-1), ValueError, "offset must be an integer >= 0"),
        (
            lambda c: c.direct_setup(language="python"),
            ValueError,
            "direct_setup: url must be a non-empty string",
        ),
        (lambda c: c.direct_session(body=[1]), TypeError, "body must be a mapping"),
        (lambda c: c.validate_stream_api_key(123), TypeError, "api_key must be a string"),
        (lambda c: c.subscribe_sse("ftp://x"), ValueError, "url must be an absolute http/https URL"),
        (lambda c: c.subscribe_sse("http://h", retry_seconds=-1), ValueError, "retry_seconds must be >= 0"),
        (lambda c: c.subscribe_sse("http://h", max_reconnects=-2), ValueError, "max_reconnects"),
        (lambda c: c.subscribe_sse("http://h", idle_timeout=0), ValueError, "idle_timeout must be > 0"),
        (lambda c: c.subscribe_sse("http://h", retries=3), TypeError, "unexpected subscription option"),
        (lambda c: c.subscribe_sse("http://h", cursor=5), TypeError, "cursor must be a string"),
        (lambda c: c.subscribe_sse("http://h", verify_signatures=1), TypeError, "verify_signatures"),
        (
            lambda c: c.subscribe_direct_sse(url="u", payload_mode="DIFF"),
            ValueError,
            "payload_mode must be one of",
        ),
        (lambda c: c.subscribe_direct_sse(method="GET"), TypeError, "url"),
        (
            lambda c: c.subscribe_websocket("ws://h", connect_kwargs={"extra_headers": {}}),
            ValueError,
            "extra_headers",
        ),
        (
            lambda c: c.subscribe_websocket("ws://h", connect_kwargs=[1]),
            TypeError,
            "connect_kwargs must be a mapping",
        ),
    ],
)
def test_bad_input_is_rejected_before_anything_is_sent(call: Any, error: type, match: str) -> None:
    rec = Recorder()
    with client_for(rec) as c, pytest.raises(error, match=match):
        call(c)
    assert rec.requests == []


def test_client_options_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="api_key"):
        RestlessStreamClient("")
    with pytest.raises(ConfigurationError, match="timeout"):
        RestlessStreamClient(KEY, timeout=0)
    with pytest.raises(ConfigurationError, match="base_url"):
        RestlessStreamClient(KEY, base_url="")
    with pytest.raises(ConfigurationError, match=r"http_client must be an httpx\.Client"):
        RestlessStreamClient(KEY, http_client=httpx.AsyncClient())  # type: ignore[arg-type]


def test_reads_are_retried_writes_are_not() -> None:
    rec = Recorder(httpx.Response(503, json={"message": "busy"}), httpx.Response(200, json=STREAM))
    with client_for(rec, max_retries=1) as c:
        assert c.get_stream("s1").id == "s1"
    assert len(rec.requests) == 2
    rec = Recorder(httpx.Response(503, json={"message": "busy"}), httpx.Response(200, json=STREAM))
    with client_for(rec, max_retries=1) as c, pytest.raises(ServerError) as info:
        c.create_stream(name="x")
    assert len(rec.requests) == 1  # a create is never sent twice
    assert isinstance(info.value, RestlessStreamAPIError) and info.value.status_code == 503


def test_undocumented_or_malformed_success_bodies_are_errors() -> None:
    rec = Recorder(httpx.Response(204), httpx.Response(200, json={"id": "s1"}))
    with client_for(rec) as c:
        with pytest.raises(RestlessStreamAPIError, match="expected a Stream body, got HTTP 204"):
            c.get_stream("s1")
        with pytest.raises(RestlessStreamAPIError, match="does not match the Stream schema"):
            c.get_stream("s1")


def test_transport_failure_is_a_typed_connection_error() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with (
        RestlessStreamClient(
            KEY, base_url="http://api.test", transport=httpx.MockTransport(boom), max_retries=0
        ) as c,
        pytest.raises(APIConnectionError) as info,
    ):
        c.list_streams()
    assert isinstance(info.value, RestlessStreamAPIError)


def test_caller_http_client_is_used_not_closed_and_errors_are_typed() -> None:
    rec = Recorder(httpx.Response(404, json={"message": "Stream not found"}))
    http = httpx.Client(base_url="http://mine.test", transport=httpx.MockTransport(rec))
    with RestlessStreamClient(KEY, http_client=http) as c, pytest.raises(NotFoundError) as info:
        c.get_stream("nope")
    assert str(info.value) == "Restless Stream API error 404: Stream not found"
    assert rec.requests[0].url.host == "mine.test" and rec.requests[0].headers["x-api-key"] == KEY
    assert not http.is_closed
    http.close()


def test_secrets_stay_out_of_reprs_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.Response(200, json=STREAM), httpx.Response(401, json={"message": f"bad key {KEY}"}))
    with client_for(rec) as c:
        c.create_stream(name="x")  # apiKey in the body
        with pytest.raises(RestlessStreamAPIError) as info:
            c.validate_stream_api_key()
        assert KEY not in repr(c) + repr(c.streams)
    assert KEY not in str(info.value) + repr(info.value) + str(info.value.body)
    assert KEY not in caplog.text


async def test_async_twin_rest_and_bad_input() -> None:
    rec = Recorder(httpx.Response(200, json={"streams": [STREAM]}))
    async with AsyncRestlessStreamClient(
        KEY, base_url="http://api.test", transport=httpx.MockTransport(rec)
    ) as c:
        page = await c.streams.list(limit=5, offset=10)
        assert page.streams[0].name == "Orders" and page.pagination_info is not None
        with pytest.raises(TypeError, match="data must be a mapping"):
            await c.streams.create(["x"])
        with pytest.raises(ValueError, match="method must be one of"):
            c.subscribe_direct_websocket(url="u", method="FETCH")
    assert len(rec.requests) == 1
    assert dict(rec.requests[0].url.params) == {"limit": "5", "offset": "10"}
