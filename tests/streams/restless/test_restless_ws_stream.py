"""Restless WebSocket subscriptions (async and the sync twin) against a real loopback WebSocket server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from specwire.core.errors import AuthenticationError
from specwire.restless import (
    PARSE_ERROR_CODE,
    SIGNATURE_MISMATCH_CODE,
    AsyncRestlessStreamClient,
    RestlessStreamAPIError,
    RestlessStreamClient,
    StreamEvent,
    StreamEventType,
)

from tests.streams.restless.helpers import API_KEY, error_event, event_id, update
from tests.support.ws_server import Close, Drop, Reject, Send, Sleep, Stall, WSServer

FAST = {"retry_seconds": 0}


async def atake(events: Any, n: int) -> list[StreamEvent]:
    out: list[StreamEvent] = []
    async for ev in events:
        out.append(ev)
        if len(out) == n:
            break
    await events.aclose()
    return out


def ns(events: list[StreamEvent]) -> list[int]:
    return [ev.data["n"] for ev in events if ev.type == StreamEventType.UPDATE]


async def test_typed_frames_bearer_handshake_and_receive_only() -> None:
    script = [Send(update(1)), Send(json.dumps(update(2)).encode()), Send(error_event(3)), Stall()]
    async with WSServer([script]) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        events = await atake(
            client.streams.subscribe_websocket(srv.url("/ws", streamId="s1"), reconnect=False), 3
        )
        await srv.await_until(lambda: srv.open_connections == 0)
    assert ns(events) == [1, 2]  # text and binary (UTF-8) frames alike
    assert events[2].type == StreamEventType.ERROR and events[2].error is not None
    conn = srv.connections[0]
    assert conn.query == {"streamId": "s1"}
    assert conn.headers["authorization"] == f"Bearer {API_KEY}"
    assert "x-api-key" not in conn.headers
    assert conn.received == []  # the runtime socket is receive-only


async def test_drops_and_closes_resume_exactly_once() -> None:
    scripts = [
        [Send(update(1)), Send(update(2)), Drop()],
        [Send(update(2)), Send(update(3)), Close(1001, "going away")],  # replays the cursor event
        [Send(update(4)), Stall()],
    ]
    async with WSServer(scripts) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        url = srv.url("/ws", streamId="s1", since="2025-12-31T00:00:00Z")
        events = await atake(client.subscribe_websocket(url, **FAST), 4)
    assert ns(events) == [1, 2, 3, 4]
    assert srv.connections[0].query == {"streamId": "s1", "since": "2025-12-31T00:00:00Z"}
    assert srv.connections[1].query == {"streamId": "s1", "cursor": event_id(2)}
    assert srv.connections[2].query == {"streamId": "s1", "cursor": event_id(3)}


async def test_malformed_frames_acks_and_bad_signatures_are_reported() -> None:
    script = [
        Send("not json"),
        Send({"type": "subscribed"}),  # an ack-like JSON without meta
        Send(update(1, secret="s")),
        Send(update(2, signature="f" * 64)),
        Send(update(3, secret="s")),
        Stall(),
    ]
    async with WSServer([script]) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        events = await atake(
            client.subscribe_websocket(srv.url("/ws", streamId="s1"), reconnect=False, verify_signatures="s"),
            5,
        )
    codes = [ev.error.code if ev.error else None for ev in events]
    assert codes == [PARSE_ERROR_CODE, PARSE_ERROR_CODE, None, SIGNATURE_MISMATCH_CODE, None]
    assert ns(events) == [1, 3]
    assert len(srv.connections) == 1  # reported, not fatal


async def test_handshake_401_is_raised_typed_without_retrying() -> None:
    async with (
        WSServer([[Reject(401, {"message": "Invalid API key"})]]) as srv,
        AsyncRestlessStreamClient(API_KEY) as client,
    ):
        with pytest.raises(AuthenticationError) as info:
            await atake(client.subscribe_websocket(srv.url("/ws", streamId="s1"), **FAST), 1)
    assert isinstance(info.value, RestlessStreamAPIError) and info.value.status_code == 401
    assert len(srv.connections) == 1


async def test_idle_stall_reconnects_with_cursor() -> None:
    scripts = [[Send(update(1)), Stall()], [Send(update(2)), Stall()]]
    async with WSServer(scripts) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        events = await atake(
            client.subscribe_websocket(srv.url("/ws", sessionId="x"), idle_timeout=0.2, **FAST), 2
        )
    assert ns(events) == [1, 2]
    assert srv.connections[1].query["cursor"] == event_id(1)


async def test_connect_kwargs_header_clash_is_rejected_before_connecting() -> None:
    async with WSServer([]) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        with pytest.raises(ValueError, match="additional_headers or extra_headers"):
            client.subscribe_websocket(srv.url("/ws"), connect_kwargs={"additional_headers": {"a": "b"}})
        assert srv.connections == []


async def test_without_key_connect_kwargs_headers_pass_through() -> None:
    async with WSServer([[Send(update(1)), Stall()]]) as srv, AsyncRestlessStreamClient() as client:
        events = await atake(
            client.subscribe_websocket(
                srv.url("/ws", streamId="s1"),
                reconnect=False,
                connect_kwargs={"extra_headers": {"X-Test": "1"}},
            ),
            1,
        )
    assert ns(events) == [1]
    assert srv.connections[0].headers["x-test"] == "1"
    assert "authorization" not in srv.connections[0].headers


async def test_direct_websocket_url_and_sse_url_conversion() -> None:
    async with (
        WSServer([[Send(update(1)), Stall()], [Send(update(2)), Stall()]]) as srv,
        AsyncRestlessStreamClient(API_KEY, stream_base_url=f"http://{srv.host}:{srv.port}") as client,
    ):
        direct = await atake(
            client.subscribe_direct_websocket(
                url="https://api.example.com/orders", polling_interval=15, **FAST
            ),
            1,
        )
        # an SSE-style http URL is converted to its WebSocket form (/ws appended, ws scheme)
        converted = await atake(
            client.subscribe_websocket(f"http://{srv.host}:{srv.port}?streamId=s2", reconnect=False), 1
        )
    assert ns(direct) == [1] and ns(converted) == [2]
    assert srv.connections[0].path == "/ws"
    assert srv.connections[0].query == {"url": "https://api.example.com/orders", "pollingInterval": "15"}
    assert srv.connections[1].path == "/ws" and srv.connections[1].query == {"streamId": "s2"}


def test_sync_twin_iterates_and_closing_closes_the_socket() -> None:
    scripts = [
        [Send(update(1)), Drop()],
        [Send(update(1)), Send(update(2)), Sleep(0.05), Send(update(3)), Stall()],
    ]
    with WSServer(scripts) as srv, RestlessStreamClient(API_KEY) as client:
        got: list[StreamEvent] = []
        stream = client.streams.subscribe_websocket(srv.url("/ws", streamId="s1"), **FAST)
        for ev in stream:
            got.append(ev)
            if len(got) == 3:
                break
        stream.close()  # type: ignore[attr-defined]
        assert srv.wait_until(lambda: srv.open_connections == 0)
    assert ns(got) == [1, 2, 3]
    assert srv.connections[1].query["cursor"] == event_id(1)
    assert srv.connections[0].headers["authorization"] == f"Bearer {API_KEY}"


def test_sync_twin_raises_terminal_errors() -> None:
    with (
        WSServer([[Reject(403, {"message": "nope"})]]) as srv,
        RestlessStreamClient(API_KEY) as client,
        pytest.raises(RestlessStreamAPIError) as info,
    ):
        list(client.subscribe_websocket(srv.url("/ws", streamId="s1")))
    assert info.value.status_code == 403
