"""Restless SSE subscriptions against a real loopback SSE server: resume, heartbeats, malformed frames.

Every test runs the public client (sync and async twins) against
``tests.support.sse_server.SSEServer`` on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from specwire.core.errors import APIConnectionError, AuthenticationError, ServerError
from specwire.restless import (
    PARSE_ERROR_CODE,
    SIGNATURE_MISMATCH_CODE,
    AsyncRestlessStreamClient,
    RestlessStreamAPIError,
    RestlessStreamClient,
    RestlessStreamParseError,
    StreamEvent,
    StreamEventType,
)
from specwire.streaming.runner import BackgroundLoop
from specwire.streaming.state import ConnectionState, StateChange

from tests.streams.restless.helpers import API_KEY, error_event, event_id, json_event_id, update
from tests.support.sse_server import Close, Comment, Drop, Event, Raw, Replay, Sleep, SSEServer, Stall, Status

FAST = {"retry_seconds": 0}


def take(events: Iterator[StreamEvent], n: int) -> list[StreamEvent]:
    out: list[StreamEvent] = []
    for ev in events:
        out.append(ev)
        if len(out) == n:
            break
    close = getattr(events, "close", None)
    if close is not None:
        close()
    return out


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


def test_typed_events_heartbeats_and_runtime_auth() -> None:
    script = [
        Comment("heartbeat"),
        Event(update(1), event="update"),
        Raw(b"event: ping\ndata:\n\n"),  # empty data: a heartbeat, never an event
        Event(update(2)),
        Close(),
    ]
    with SSEServer([script]) as srv, RestlessStreamClient(API_KEY, stream_base_url=srv.url("")) as client:
        events = take(client.streams.subscribe_sse(srv.url("/", streamId="s1"), reconnect=False), 2)
    first = events[0]
    assert first.type == "update" and first.type is StreamEventType.UPDATE
    assert first.data == {"n": 1, "price": 1.25, "big": 12345678901234567890}
    assert first.meta.timestamp == "2026-01-01T00:00:01.000+00:00"
    assert first.meta.attempt_id == "attempt-1" and first.meta.latency_ms == 12
    assert first.event_id == event_id(1)
    assert ns(events) == [1, 2]
    req = srv.requests[0]
    assert req.query == {"streamId": "s1"}
    assert req.headers["authorization"] == f"Bearer {API_KEY}"
    assert req.headers["x-api-key"] == API_KEY
    assert req.headers["accept"] == "text/event-stream"


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_drop_mid_stream_resumes_from_last_event_id_exactly_once(framing: str) -> None:
    log = [Event(update(n)) for n in range(1, 8)]
    scripts = [
        [Replay(3), Drop()],  # cut mid-chunk (chunked) or just EOF (close-delimited)
        [Replay(2), Drop()],
        [Replay(None), Close()],
    ]
    with (
        SSEServer(scripts, log=log, framing=framing, cursor_key=json_event_id) as srv,
        RestlessStreamClient(API_KEY) as client,
    ):
        url = srv.url("/", streamId="s1")
        events = take(client.subscribe_sse(url, since="2025-12-31T00:00:00Z", **FAST), 7)
    assert ns(events) == [1, 2, 3, 4, 5, 6, 7]
    queries = [r.query for r in srv.requests]
    assert queries[0] == {"streamId": "s1", "since": "2025-12-31T00:00:00Z"}
    # once a cursor exists it replaces `since` (which would ask for events we already have)
    assert queries[1] == {"streamId": "s1", "cursor": event_id(3)}
    assert queries[2] == {"streamId": "s1", "cursor": event_id(5)}


def test_inclusive_resume_is_deduplicated() -> None:
    """A server that replays the cursor event itself after a reconnect must not cause a duplicate."""
    scripts = [
        [Event(update(1)), Event(update(2)), Drop()],
        [Event(update(2)), Event(update(3)), Close()],
    ]
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(client.subscribe_sse(srv.url("/", streamId="s1"), **FAST), 3)
    assert ns(events) == [1, 2, 3]
    assert srv.requests[1].query["cursor"] == event_id(2)


def test_sse_id_field_takes_precedence_and_is_the_cursor() -> None:
    scripts = [
        [Event(update(1, with_id=False), id="sse-1"), Drop()],
        [Event(update(2, with_id=False), id="sse-2"), Close()],
    ]
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(client.subscribe_sse(srv.url("/", streamId="s1"), **FAST), 2)
    assert ns(events) == [1, 2]
    assert srv.requests[1].query["cursor"] == "sse-1"


def test_error_events_are_delivered_and_advance_the_cursor_by_timestamp() -> None:
    scripts = [
        [Event(error_event(4)), Close()],
        [Event(update(5)), Close()],
    ]
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(client.subscribe_sse(srv.url("/", sessionId="x"), **FAST), 2)
    assert events[0].type == StreamEventType.ERROR
    assert events[0].error is not None and events[0].error.code == "UPSTREAM_TIMEOUT"
    assert events[0].error.message == "timed out"
    # 2026-01-01T00:00:04.250+00:00 as whole Unix milliseconds
    assert srv.requests[1].query["cursor"] == "1767225604250"
    assert ns(events) == [5]


def test_malformed_frames_are_reported_not_fatal() -> None:
    script = [
        Event(update(1)),
        Event("{not json"),
        Event({"type": "update"}),  # no meta
        Event({"type": "heartbeat"}),
        Event(update(2)),
        Close(),
    ]
    with SSEServer([script]) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(client.subscribe_sse(srv.url("/", streamId="s1"), reconnect=False), 5)
    assert ns(events) == [1, 2]
    reported = [ev for ev in events if ev.type == StreamEventType.ERROR]
    assert len(reported) == 3
    assert all(ev.error is not None and ev.error.code == PARSE_ERROR_CODE for ev in reported)
    assert reported[0].error is not None and "{not json" in reported[0].error.message
    assert reported[1].error is not None and "meta" in reported[1].error.message


def test_raise_parse_errors_restores_the_official_behaviour() -> None:
    with (
        SSEServer([[Event(update(1)), Event("oops"), Event(update(2)), Close()]]) as srv,
        RestlessStreamClient(API_KEY) as client,
    ):
        got: list[StreamEvent] = []
        with pytest.raises(RestlessStreamParseError, match="oops"):
            for ev in client.subscribe_sse(srv.url("/", streamId="s1"), raise_parse_errors=True):
                got.append(ev)
    assert ns(got) == [1]


def test_unknown_event_type_with_meta_is_kept_not_fatal() -> None:
    future = {"type": "snapshot", "meta": {"timestamp": "2026-01-01T00:00:09Z"}, "data": [1]}
    with (
        SSEServer([[Event(future), Event(update(10)), Close()]]) as srv,
        RestlessStreamClient(API_KEY) as client,
    ):
        events = take(client.subscribe_sse(srv.url("/", streamId="s1"), reconnect=False), 2)
    assert events[0].type.is_unknown and events[0].type.value == "snapshot"
    assert events[0].data == [1]
    assert ns(events) == [10]


def test_signature_mismatch_is_an_error_event_and_the_stream_goes_on() -> None:
    secret = "whsec_test_123"
    good = update(1, secret=secret)
    tampered = update(2, secret=secret)
    tampered["data"]["n"] = 99
    unsigned = update(3)
    script = [Event(good), Event(tampered), Event(unsigned), Event(update(4, secret=secret)), Close()]
    with SSEServer([script]) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(
            client.subscribe_sse(srv.url("/", streamId="s1"), reconnect=False, verify_signatures=secret), 4
        )
    assert [ev.type for ev in events] == ["update", "error", "error", "update"]
    bad = events[1]
    assert bad.error is not None and bad.error.code == SIGNATURE_MISMATCH_CODE
    assert bad.data["n"] == 99 and bad.event_id == event_id(2)  # nothing lost: the payload is kept
    assert events[2].error is not None and "no signature" in events[2].error.message
    assert secret not in repr(events) + bad.error.message


def test_signed_payload_event_mode_verifies_the_whole_event() -> None:
    from specwire.signing import compute_hmac

    body = update(1)
    body.pop("signature")
    signed = {**body, "signature": compute_hmac("k", body)}
    with (
        SSEServer([[Event(signed), Event(update(2, secret="k")), Close()]]) as srv,
        RestlessStreamClient(API_KEY) as client,
    ):
        events = take(
            client.subscribe_sse(
                srv.url("/", streamId="s1"),
                reconnect=False,
                verify_signatures="k",
                signed_payload="event",
            ),
            2,
        )
    assert [ev.type for ev in events] == ["update", "error"]  # the second signs only `data`


def test_stall_triggers_idle_reconnect_and_rest_timeout_does_not_kill_the_stream() -> None:
    scripts = [
        [Event(update(1)), Stall()],
        # quiet for longer than the REST read timeout, but heartbeats keep it alive
        [Sleep(0.15), Comment("hb"), Sleep(0.15), Comment("hb"), Sleep(0.15), Event(update(2)), Close()],
    ]
    states: list[StateChange] = []
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY, timeout=0.2) as client:
        events = take(
            client.subscribe_sse(
                srv.url("/", streamId="s1"), idle_timeout=0.3, on_state_change=states.append, **FAST
            ),
            2,
        )
    assert ns(events) == [1, 2]
    assert len(srv.requests) == 2
    assert srv.requests[1].query["cursor"] == event_id(1)
    assert ConnectionState.RECONNECTING in [s.new for s in states]


def test_retryable_status_reconnects_then_auth_failure_is_raised_typed() -> None:
    scripts = [
        [Status(503, {"message": "busy"})],
        [Event(update(1)), Close()],
        [Status(401, {"message": "Invalid API key"})],
    ]
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY) as client:
        got: list[StreamEvent] = []
        with pytest.raises(AuthenticationError) as info:
            for ev in client.subscribe_sse(srv.url("/", streamId="s1"), **FAST):
                got.append(ev)
    assert ns(got) == [1]
    err = info.value
    assert isinstance(err, RestlessStreamAPIError) and err.status_code == 401
    assert str(err) == "Restless Stream API error 401: Invalid API key"
    assert API_KEY not in repr(err) + str(err) + str(err.url)
    assert len(srv.requests) == 3


def test_max_reconnects_counts_consecutive_failures_only() -> None:
    scripts = [[Status(503, "down")] for _ in range(3)]
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY) as client, pytest.raises(ServerError):
        list(client.subscribe_sse(srv.url("/", streamId="s1"), max_reconnects=2, **FAST))
    assert len(srv.requests) == 3  # first try + 2 reconnects


def test_the_reconnect_budget_resets_after_every_event() -> None:
    scripts = [
        [Status(503, "down")],
        [Event(update(1)), Drop()],
        [Status(503, "down")],
        [Event(update(2)), Drop()],
        [Status(503, "down")],
        [Event(update(3)), Close()],
    ]
    with SSEServer(scripts) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(client.subscribe_sse(srv.url("/", streamId="s1"), max_reconnects=2, **FAST), 3)
    assert ns(events) == [1, 2, 3]  # never more than two consecutive reconnects (drop, then 503)
    assert len(srv.requests) == 6


def test_reconnect_false_stops_at_the_end_of_the_stream() -> None:
    with SSEServer([[Event(update(1)), Close()]]) as srv, RestlessStreamClient(API_KEY) as client:
        events = list(client.subscribe_sse(srv.url("/", streamId="s1"), reconnect=False))
    assert ns(events) == [1] and len(srv.requests) == 1


def test_direct_subscription_builds_the_url_and_keeps_inputs_untouched() -> None:
    with SSEServer([[Event(update(1)), Close()]]) as srv, RestlessStreamClient(API_KEY) as client:
        events = list(
            client.streams.subscribe_direct_sse(
                url="https://api.example.com/orders",
                method="post",
                headers={"X_Trace_Id": "1"},
                body={"order_id": 5},
                payload_mode="JSON_PATCH",
                polling_interval=30,
                cursor="c0",
                stream_base_url=srv.url(""),
                reconnect=False,
            )
        )
    assert ns(events) == [1]
    q = srv.requests[0].query
    assert q["url"] == "https://api.example.com/orders" and q["method"] == "POST"
    assert json.loads(q["headers"]) == {"X_Trace_Id": "1"}
    assert json.loads(q["body"]) == {"order_id": 5}
    assert q["payloadMode"] == "JSON_PATCH" and q["pollingInterval"] == "30" and q["cursor"] == "c0"
    assert "apiKey" not in q  # the key travels in the Authorization header only


def test_non_event_stream_answer_is_a_typed_error() -> None:
    with (
        SSEServer([[Status(200, {"message": "not a stream"})]]) as srv,
        RestlessStreamClient(API_KEY) as client,
        pytest.raises(RestlessStreamAPIError, match="event-stream"),
    ):
        list(client.subscribe_sse(srv.url("/", streamId="s1")))


# -- the async twin ---------------------------------------------------------------------------


async def test_async_drop_and_resume_exactly_once() -> None:
    log = [Event(update(n)) for n in range(1, 6)]
    scripts = [[Replay(2), Drop()], [Replay(None), Close()]]
    async with (
        SSEServer(scripts, log=log, cursor_key=json_event_id) as srv,
        AsyncRestlessStreamClient(API_KEY) as client,
    ):
        events = await atake(client.streams.subscribe_sse(srv.url("/", streamId="s1"), **FAST), 5)
    assert ns(events) == [1, 2, 3, 4, 5]
    assert srv.requests[1].query == {"streamId": "s1", "cursor": event_id(2)}
    assert srv.requests[0].headers["authorization"] == f"Bearer {API_KEY}"


async def test_async_malformed_and_signature_reports() -> None:
    script = [Event("[]"), Event(update(1, secret="s")), Event(update(2, signature="0" * 64)), Close()]
    async with SSEServer([script]) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        events = await atake(
            client.subscribe_sse(srv.url("/", streamId="s1"), reconnect=False, verify_signatures="s"), 3
        )
    codes = [ev.error.code if ev.error else None for ev in events]
    assert codes == [PARSE_ERROR_CODE, None, SIGNATURE_MISMATCH_CODE]


async def test_async_idle_timeout_reconnects() -> None:
    scripts = [[Event(update(1)), Stall()], [Event(update(2)), Close()]]
    async with SSEServer(scripts) as srv, AsyncRestlessStreamClient(API_KEY) as client:
        events = await atake(client.subscribe_sse(srv.url("/", streamId="s1"), idle_timeout=0.2, **FAST), 2)
    assert ns(events) == [1, 2]
    assert srv.requests[1].query["cursor"] == event_id(1)


class _ResetThenServe:
    """Resets the first ``resets`` connections right after the request, then streams one event."""

    def __init__(self, resets: int) -> None:
        self.resets = resets
        self.requests: list[bytes] = []
        self.loop = BackgroundLoop(name="reset-server")
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head)
        if len(self.requests) <= self.resets:
            writer.transport.abort()  # RST before any response byte
            return
        body = b"data: " + json.dumps(update(len(self.requests))).encode() + b"\n\n"
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + body
        )
        await writer.drain()
        writer.close()

    async def _start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server

    def __enter__(self) -> _ResetThenServe:
        self.server = self.loop.run(self._start(), timeout=5)
        return self

    async def _close(self) -> None:
        self.server.close()  # asyncio servers are not thread-safe: close it on its own loop

    def __exit__(self, *exc: object) -> None:
        self.loop.run(self._close(), timeout=5)
        self.loop.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?streamId=s1"


def test_connection_reset_before_the_response_is_a_reconnect_sync() -> None:
    with _ResetThenServe(resets=2) as srv, RestlessStreamClient(API_KEY) as client:
        events = take(client.subscribe_sse(srv.url, **FAST), 1)
    assert ns(events) == [3] and len(srv.requests) == 3


async def test_connection_reset_before_the_response_is_a_reconnect_async() -> None:
    with _ResetThenServe(resets=2) as srv:
        async with AsyncRestlessStreamClient(API_KEY) as client:
            events = await atake(client.subscribe_sse(srv.url, **FAST), 1)
    assert ns(events) == [3] and len(srv.requests) == 3


def test_refused_connections_exhaust_max_reconnects_with_a_typed_error() -> None:
    with (
        _ResetThenServe(resets=10) as srv,
        RestlessStreamClient(API_KEY) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        list(client.subscribe_sse(srv.url, max_reconnects=2, **FAST))
    assert isinstance(info.value, RestlessStreamAPIError) and len(srv.requests) == 3
