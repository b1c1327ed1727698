"""Runtime URL builders: the reference's tables (§4) are the test vectors."""

from __future__ import annotations

import pytest
from specwire.restless import (
    DEFAULT_STREAM_BASE_URL,
    build_direct_sse_url,
    build_direct_websocket_url,
    build_sse_url,
    build_websocket_url,
    to_websocket_url,
)


def test_managed_urls() -> None:
    assert DEFAULT_STREAM_BASE_URL == "https://stream.restlessapi.stream"
    assert build_sse_url(stream_id="stream_123") == "https://stream.restlessapi.stream?streamId=stream_123"
    assert (
        build_sse_url(stream_id="stream_123", cursor="42", since="2026-01-01T00:00:00Z")
        == "https://stream.restlessapi.stream?streamId=stream_123&cursor=42&since=2026-01-01T00%3A00%3A00Z"
    )
    assert build_sse_url(session_id="sess_1") == "https://stream.restlessapi.stream?sessionId=sess_1"
    assert (
        build_websocket_url(session_id="session_123")
        == "wss://stream.restlessapi.stream/ws?sessionId=session_123"
    )
    assert (
        build_sse_url(stream_id="s", stream_base_url="http://localhost:3000/")
        == "http://localhost:3000?streamId=s"
    )


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"stream_id": "a", "session_id": "b"}, {"stream_id": ""}, {"stream_id": None, "session_id": None}],
)
def test_build_sse_url_needs_exactly_one_selector(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one of stream_id or session_id"):
        build_sse_url(**kwargs)
    with pytest.raises(ValueError, match="exactly one of stream_id or session_id"):
        build_websocket_url(**kwargs)


def test_direct_urls_verbatim() -> None:
    assert (
        build_direct_sse_url(url="https://api.example.com/orders")
        == "https://stream.restlessapi.stream?url=https%3A%2F%2Fapi.example.com%2Forders"
    )
    full = build_direct_sse_url(
        url="https://api.example.com/orders",
        cursor="c1",
        since="2026-01-01T00:00:00Z",
        method=" post ",
        headers={"Accept": "application/json", "X-Ü": "é"},
        body={"status": "open", "n": [1, 2]},
        jq_filter=".items[]",
        payload_mode="json_patch",
        polling_interval=30,
        polling_strategies=[{"startTime": "09:00", "endTime": "17:00", "intervalSeconds": 5}],
        api_key="rs_abc",
    )
    assert full == (
        "https://stream.restlessapi.stream?url=https%3A%2F%2Fapi.example.com%2Forders&cursor=c1"
        "&since=2026-01-01T00%3A00%3A00Z&method=POST"
        "&headers=%7B%22Accept%22%3A%22application%2Fjson%22%2C%22X-%5Cu00dc%22%3A%22%5Cu00e9%22%7D"
        "&body=%7B%22status%22%3A%22open%22%2C%22n%22%3A%5B1%2C2%5D%7D&jq=.items%5B%5D&payloadMode=JSON_PATCH"
        "&pollingInterval=30&pollingStrategies=%5B%7B%22startTime%22%3A%2209%3A00%22%2C%22endTime%22%3A%2217%3A00"
        "%22%2C%22intervalSeconds%22%3A5%7D%5D&apiKey=rs_abc"
    )
    assert (
        build_direct_websocket_url(url="https://api.example.com/orders", polling_interval=15)
        == "wss://stream.restlessapi.stream/ws?url=https%3A%2F%2Fapi.example.com%2Forders&pollingInterval=15"
    )


def test_direct_defaults_are_left_out_and_user_keys_untouched() -> None:
    url = build_direct_sse_url(
        url="u", method="GET", payload_mode="FULL_DATA", polling_interval=0, headers={}
    )
    assert url == "https://stream.restlessapi.stream?url=u"
    keep = build_direct_sse_url(url="u", headers={"X_Trace_Id": "1"}, body={"order_id": 5})
    assert "X_Trace_Id" in keep and "order_id" in keep


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://stream.restlessapi.stream?streamId=x", "wss://stream.restlessapi.stream/ws?streamId=x"),
        ("https://stream.restlessapi.stream/?streamId=x", "wss://stream.restlessapi.stream/ws?streamId=x"),
        ("https://stream.restlessapi.stream/ws/?a=1", "wss://stream.restlessapi.stream/ws?a=1"),
        ("http://localhost:3000/sse?sessionId=1", "ws://localhost:3000/sse/ws?sessionId=1"),
        ("https://h/news", "wss://h/news/ws"),
        ("ws://h/abc", "ws://h/abc/ws"),
        ("wss://h/ws", "wss://h/ws"),
    ],
)
def test_to_websocket_url_table(source: str, expected: str) -> None:
    assert to_websocket_url(source) == expected


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match=r"method must be one of .*'FETCH'"):
        build_direct_sse_url(url="u", method="FETCH")
    with pytest.raises(ValueError, match=r"payload_mode must be one of .*'DIFF'"):
        build_direct_sse_url(url="u", payload_mode="DIFF")
    with pytest.raises(ValueError, match="url must be a non-empty"):
        build_direct_sse_url(url="")
    with pytest.raises(TypeError, match="polling_interval"):
        build_direct_sse_url(url="u", polling_interval="often")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="headers must be a mapping"):
        build_direct_sse_url(url="u", headers=[("a", "b")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="body must be JSON-serialisable"):
        build_direct_sse_url(url="u", body={"when": object()})
    with pytest.raises(TypeError, match="cursor must be a string"):
        build_sse_url(stream_id="s", cursor=["1"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stream_base_url"):
        build_sse_url(stream_id="s", stream_base_url="")
