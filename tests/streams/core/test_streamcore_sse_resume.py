"""Resumable SSE against a real loopback server: drops, stalls, statuses — no loss, no duplicates.

Every scenario runs for both twins: ``aconnect_sse`` over ``httpx.AsyncClient`` and
``connect_sse`` over ``httpx.Client`` (the latter on a worker thread while the server
runs on the test's loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from specwire.core.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    ConfigurationError,
    ErrorFamily,
    NotFoundError,
    ServerError,
)
from specwire.core.redact import register_secret
from specwire.streaming.backoff import Backoff
from specwire.streaming.sse import MAX_SERVER_DELAY, aconnect_sse, connect_sse
from specwire.streaming.sse_decoder import ServerSentEvent
from specwire.streaming.state import ConnectionState, StateChange

from tests.support.sse_server import (
    Close,
    Comment,
    Drop,
    Event,
    Raw,
    Replay,
    Sleep,
    SSEServer,
    Stall,
    Status,
)

LOG = [Event({"n": i}, id=str(i)) for i in range(9)]
ALL_IDS = [str(i) for i in range(9)]
END = [Status(204)]  # a finished stream: the client stops without an error

MODES = ["async", "sync"]


class RecordingBackoff(Backoff):
    """A fast backoff (a few ms) so reconnect tests take no real time."""

    def __init__(self) -> None:
        super().__init__(initial=0.001, maximum=0.005)


def FAST() -> Backoff:
    return Backoff(initial=0.001, maximum=0.005)


def cursor_url(srv: SSEServer) -> Callable[[str | None], str]:
    return lambda cursor: srv.url(**({"cursor": cursor} if cursor else {}))


async def run_stream(
    mode: str,
    url_for: Any,
    *,
    limit: int | None = None,
    on_event: Callable[[Any, ServerSentEvent], None] | None = None,
    **kw: Any,
) -> tuple[list[ServerSentEvent], list[StateChange], BaseException | None]:
    """Iterate the stream with the chosen twin; returns events, state changes, and the raised error."""
    events: list[ServerSentEvent] = []
    states: list[StateChange] = []
    kw.setdefault("backoff", RecordingBackoff())
    kw.setdefault("on_state_change", states.append)
    error: BaseException | None = None
    if mode == "async":
        async with httpx.AsyncClient() as client:
            try:
                async with aconnect_sse(client, url_for, **kw) as stream:
                    async for ev in stream:
                        events.append(ev)
                        if on_event:
                            on_event(stream, ev)
                        if limit is not None and len(events) >= limit:
                            break
            except Exception as exc:
                error = exc
        return events, states, error

    def work() -> BaseException | None:
        with httpx.Client() as client:
            try:
                with connect_sse(client, url_for, **kw) as stream:
                    for ev in stream:
                        events.append(ev)
                        if on_event:
                            on_event(stream, ev)
                        if limit is not None and len(events) >= limit:
                            break
            except Exception as exc:
                return exc
        return None

    error = await asyncio.to_thread(work)
    return events, states, error


@pytest.mark.parametrize("mode", MODES)
async def test_mid_chunk_drop_resumes_with_last_event_id_and_cursor(mode: str) -> None:
    async with SSEServer(
        [[Replay(3), Drop(mid_chunk=True)], [Replay(4), Drop()], [Replay(None)]], log=LOG
    ) as srv:
        srv.fallback = END
        events, states, error = await run_stream(mode, cursor_url(srv))
    assert error is None
    assert [e.id for e in events] == ALL_IDS  # exactly once, in order
    assert [e.json() for e in events] == [{"n": i} for i in range(9)]
    assert [r.query.get("cursor") for r in srv.requests] == [None, "2", "6", "8"]
    assert [r.headers.get("last-event-id") for r in srv.requests] == [None, "2", "6", "8"]
    assert all(r.headers["accept"] == "text/event-stream" for r in srv.requests)
    kinds = [s.new for s in states]
    assert kinds[:2] == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
    assert kinds[-1] is ConnectionState.DISCONNECTED
    assert any("RemoteProtocolError" in s.reason for s in states if s.new is ConnectionState.RECONNECTING)


@pytest.mark.parametrize("mode", MODES)
async def test_clean_eof_of_close_delimited_body_is_treated_as_a_drop(mode: str) -> None:
    async with SSEServer(
        [[Replay(2), Close()], [Replay(3), Drop(mid_chunk=False)], [Replay(None), Close()]],
        log=LOG,
        framing="close",
        fallback=END,
    ) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv))
    assert error is None
    assert [e.id for e in events] == ALL_IDS
    assert len(srv.requests) == 4


@pytest.mark.parametrize("mode", MODES)
async def test_stall_beyond_idle_timeout_reconnects(mode: str) -> None:
    async with SSEServer([[Replay(4), Stall()], [Replay(None), Close()]], log=LOG, fallback=END) as srv:
        events, states, error = await run_stream(mode, cursor_url(srv), idle_timeout=0.2)
    assert error is None
    assert [e.id for e in events] == ALL_IDS
    assert any("ReadTimeout" in s.reason for s in states)


@pytest.mark.parametrize("mode", MODES)
async def test_comment_heartbeats_keep_a_quiet_stream_alive(mode: str) -> None:
    beats: list[Any] = []
    for _ in range(4):
        beats += [Sleep(0.06), Comment("ping")]
    async with SSEServer([[Replay(1), *beats, Replay(None), Close()]], log=LOG, fallback=END) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv), idle_timeout=0.15)
    assert error is None
    assert [e.id for e in events] == ALL_IDS
    assert len(srv.requests) == 2  # the one stream, then the 204 that ends it


@pytest.mark.parametrize("mode", MODES)
async def test_the_clients_rest_read_timeout_does_not_apply_to_streams(mode: str) -> None:
    async with SSEServer([[Replay(1), Sleep(0.2), Replay(None), Close()]], log=LOG, fallback=END) as srv:
        if mode == "async":
            async with (
                httpx.AsyncClient(timeout=0.05) as client,
                aconnect_sse(client, cursor_url(srv), idle_timeout=5, backoff=FAST()) as stream,
            ):
                ids = [ev.id async for ev in stream]
        else:

            def work() -> list[str]:
                with (
                    httpx.Client(timeout=0.05) as client,
                    connect_sse(client, cursor_url(srv), idle_timeout=5, backoff=FAST()) as s,
                ):
                    return [ev.id for ev in s]

            ids = await asyncio.to_thread(work)
    assert ids == ALL_IDS
    assert len(srv.requests) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_503_reconnects_honouring_retry_after(mode: str) -> None:
    async with SSEServer(
        [
            [Replay(3), Drop()],
            [Status(503, {"message": "busy"}, headers={"Retry-After": "0.03"})],
            [Status(429, {"message": "slow down"}, headers={"retry-after-ms": "40"})],
            [Replay(None), Close()],
        ],
        log=LOG,
        fallback=END,
    ) as srv:
        events, states, error = await run_stream(mode, cursor_url(srv))
    assert error is None
    assert [e.id for e in events] == ALL_IDS
    reconnecting = [s for s in states if s.new is ConnectionState.RECONNECTING]
    assert [s.delay for s in reconnecting[1:3]] == [0.03, 0.04]  # the hints beat the ~ms backoff
    assert reconnecting[0].delay is not None and reconnecting[0].delay <= 0.005
    assert isinstance(reconnecting[1].error, ServerError) and reconnecting[1].error.message == "busy"


@pytest.mark.parametrize("mode", MODES)
async def test_server_retry_field_is_the_delay_floor(mode: str) -> None:
    async with SSEServer(
        [[Raw(b"retry: 40\n\n"), Replay(2), Drop()], [Replay(None), Close()]], log=LOG, fallback=END
    ) as srv:
        events, states, error = await run_stream(mode, cursor_url(srv))
    assert error is None and [e.id for e in events] == ALL_IDS
    reconnecting = [s for s in states if s.new is ConnectionState.RECONNECTING]
    assert reconnecting[0].delay == 0.04


async def test_a_huge_retry_after_is_capped() -> None:
    waits: list[float] = []
    async with SSEServer(
        [[Status(503, "x", headers={"Retry-After": "86400"})], [Replay(None)]], log=LOG, fallback=END
    ) as srv:

        def work() -> list[str]:
            with (
                httpx.Client() as client,
                connect_sse(client, srv.url(), backoff=FAST(), sleep=waits.append) as s,
            ):
                return [ev.id for ev in s]

        ids = await asyncio.to_thread(work)
    assert ids == ALL_IDS
    assert waits[0] == MAX_SERVER_DELAY == 600.0


@pytest.mark.parametrize("mode", MODES)
async def test_401_is_terminal_and_typed(mode: str) -> None:
    async with SSEServer(
        [[Replay(2), Drop()], [Status(401, {"message": "invalid api key"})]], log=LOG
    ) as srv:
        events, states, error = await run_stream(mode, cursor_url(srv))
    assert [e.id for e in events] == ["0", "1"]
    assert isinstance(error, AuthenticationError)
    assert error.status_code == 401 and error.message == "invalid api key"
    assert len(srv.requests) == 2  # no retry after the 401
    assert states[-1].new is ConnectionState.DISCONNECTED and states[-1].error is error


@pytest.mark.parametrize("mode", MODES)
async def test_provider_error_family_is_used(mode: str) -> None:
    class AcmeError(Exception):
        pass

    family = ErrorFamily.derive(AcmeError, prefix="Acme")
    async with SSEServer([[Status(404, {"error": {"message": "no such stream"}})]]) as srv:
        _, _, error = await run_stream(mode, srv.url(), error_family=family)
    assert isinstance(error, AcmeError) and isinstance(error, NotFoundError)
    assert type(error).__name__ == "AcmeNotFoundError"
    assert error.message == "no such stream"


@pytest.mark.parametrize("mode", MODES)
async def test_wrong_content_type_raises_typed_error_with_body_message(mode: str) -> None:
    async with SSEServer([[Status(200, {"message": "use the /ws endpoint"})]]) as srv:
        _, _, error = await run_stream(mode, srv.url())
    assert isinstance(error, APIStatusError)
    assert "text/event-stream" in error.message and "use the /ws endpoint" in error.message
    assert len(srv.requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_204_ends_the_stream_without_error(mode: str) -> None:
    async with SSEServer([[Status(204)]]) as srv:
        events, states, error = await run_stream(mode, srv.url())
    assert events == [] and error is None
    assert states[-1].new is ConnectionState.DISCONNECTED and "204" in states[-1].reason


@pytest.mark.parametrize("mode", MODES)
async def test_exhausted_reconnects_after_transport_errors_raise_connection_error(mode: str) -> None:
    async with SSEServer([[Replay(1), Drop()], [Drop()], [Drop()]], log=LOG) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv), max_reconnects=2)
    assert [e.id for e in events] == ["0"]
    assert isinstance(error, APIConnectionError)
    assert len(srv.requests) == 3  # the first connect + 2 reconnects


@pytest.mark.parametrize("mode", MODES)
async def test_max_reconnects_counts_only_consecutive_failures(mode: str) -> None:
    scripts = [[Replay(1), Drop()] for _ in range(9)]
    async with SSEServer(scripts, log=LOG, fallback=END) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv), max_reconnects=1)
    assert error is None
    assert [e.id for e in events] == ALL_IDS  # 8 reconnects in total, never 2 in a row without an event


@pytest.mark.parametrize("mode", MODES)
async def test_reconnect_false_stops_at_a_clean_end(mode: str) -> None:
    async with SSEServer([[Replay(3), Close()]], log=LOG) as srv:
        events, _, error = await run_stream(mode, srv.url(), reconnect=False)
    assert error is None and [e.id for e in events] == ["0", "1", "2"]
    assert len(srv.requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_terminal_event_ends_the_stream_after_delivering_it(mode: str) -> None:
    async with SSEServer([[Replay(3), Event("[DONE]"), Replay(None)]], log=LOG) as srv:
        events, _, error = await run_stream(mode, srv.url(), is_terminal=lambda ev: ev.data == b"[DONE]")
    assert error is None
    assert [e.data for e in events][-1] == b"[DONE]"
    assert len(events) == 4 and len(srv.requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_cursor_from_payload_via_assignment(mode: str) -> None:
    log = [Event({"eventId": f"c{i}"}) for i in range(6)]  # no SSE ids: the cursor lives in the JSON

    def assign(stream: Any, ev: ServerSentEvent) -> None:
        stream.cursor = ev.json()["eventId"]

    async with SSEServer(
        [[Replay(2), Drop()], [Replay(2), Drop()], [Replay(None)]],
        log=log,
        fallback=END,
        cursor_key=lambda ev: ev.data["eventId"],
    ) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv), on_event=assign)
    assert error is None
    assert [e.json()["eventId"] for e in events] == [f"c{i}" for i in range(6)]
    assert [r.query.get("cursor") for r in srv.requests] == [None, "c1", "c3", "c5"]
    assert all("last-event-id" not in r.headers for r in srv.requests)


@pytest.mark.parametrize("mode", MODES)
async def test_cursor_of_extracts_the_cursor(mode: str) -> None:
    log = [Event({"eventId": f"c{i}"}, id=f"sse-{i}") for i in range(4)]
    async with SSEServer(
        [[Replay(2), Drop()], [Replay(None)]],
        log=log,
        fallback=END,
        cursor_key=lambda ev: ev.data["eventId"],
        cursor_from=lambda req: req.query.get("cursor"),
    ) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv), cursor_of=lambda ev: ev.json()["eventId"])
    assert error is None and len(events) == 4
    assert [r.query.get("cursor") for r in srv.requests] == [None, "c1", "c3"]
    # Last-Event-ID still carries the SSE id, independently of the cursor
    assert [r.headers.get("last-event-id") for r in srv.requests] == [None, "sse-1", "sse-3"]


@pytest.mark.parametrize("mode", MODES)
async def test_headers_are_fresh_on_every_connect(mode: str) -> None:
    tokens = iter(["tok-1", "tok-2", "tok-3", "tok-4"])
    calls: list[str] = []

    def headers_for() -> dict[str, str]:
        token = next(tokens)
        calls.append(token)
        return {"Authorization": f"Bearer {token}"}

    async def aheaders_for() -> dict[str, str]:
        return headers_for()

    async with SSEServer(
        [[Replay(2), Drop()], [Replay(2), Drop()], [Replay(None)]], log=LOG, fallback=END
    ) as srv:
        hf = aheaders_for if mode == "async" else headers_for
        events, _, error = await run_stream(mode, cursor_url(srv), headers_for=hf)
    assert error is None and [e.id for e in events] == ALL_IDS
    assert [r.headers["authorization"] for r in srv.requests] == [f"Bearer tok-{i}" for i in range(1, 5)]


@pytest.mark.parametrize("mode", MODES)
async def test_initial_cursor_resumes_an_earlier_subscription(mode: str) -> None:
    async with SSEServer([[Replay(None)]], log=LOG, fallback=END) as srv:
        events, _, error = await run_stream(mode, cursor_url(srv), cursor="5")
    assert error is None and [e.id for e in events] == ["6", "7", "8"]
    assert srv.requests[0].query["cursor"] == "5" and srv.requests[0].headers["last-event-id"] == "5"


@pytest.mark.parametrize("mode", MODES)
async def test_leaving_the_block_closes_the_http_response(mode: str) -> None:
    async with SSEServer([[Replay(2), Stall()]], log=LOG) as srv:
        events, states, error = await run_stream(mode, srv.url(), limit=1)
        assert await srv.await_until(lambda: srv.open_connections == 0, timeout=5)
    assert error is None and len(events) == 1
    assert states[-1].new is ConnectionState.DISCONNECTED


async def test_task_cancellation_closes_the_http_response() -> None:
    async with SSEServer([[Replay(2), Stall()]], log=LOG) as srv:
        got = asyncio.Event()

        async def consume() -> None:
            async with httpx.AsyncClient() as client, aconnect_sse(client, srv.url()) as stream:
                async for _ in stream:
                    got.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got.wait(), 5)
        assert srv.open_connections == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await srv.await_until(lambda: srv.open_connections == 0, timeout=5)


def test_sync_twin_refuses_an_async_headers_callable() -> None:
    async def aheaders() -> dict[str, str]:
        return {}

    with httpx.Client() as client:
        stream = connect_sse(client, "http://127.0.0.1:9/never", headers_for=aheaders)
        with pytest.raises(ConfigurationError, match="async"):
            next(iter(stream))


def test_bad_options_are_rejected_before_anything_is_sent() -> None:
    with httpx.Client() as client:
        with pytest.raises(ConfigurationError, match="max_reconnects"):
            connect_sse(client, "http://127.0.0.1:9/", max_reconnects=-1)
        with pytest.raises(ConfigurationError, match="idle_timeout"):
            connect_sse(client, "http://127.0.0.1:9/", idle_timeout=0)
        with pytest.raises(ConfigurationError, match="url_for"):
            connect_sse(client, 42)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
async def test_secrets_in_url_and_headers_never_reach_errors_or_states(mode: str) -> None:
    secret = "sk-live-very-secret-123"
    register_secret(secret)
    async with SSEServer([[Drop()], [Status(401, {"message": f"key {secret} revoked"})]]) as srv:
        _, states, error = await run_stream(
            mode,
            srv.url(apiKey=secret),
            headers_for={"Authorization": f"Bearer {secret}"},
        )
    assert isinstance(error, AuthenticationError)
    for text in (str(error), repr(error), error.url or "", str(error.body), *(s.reason for s in states)):
        assert secret not in text


async def test_aclose_from_another_task_cuts_a_stalled_stream() -> None:
    async with SSEServer([[Replay(1), Stall()]], log=LOG) as srv:
        got: list[str] = []
        async with httpx.AsyncClient() as client:
            stream = aconnect_sse(client, srv.url(), backoff=FAST())

            async def consume() -> None:
                async for ev in stream:
                    got.append(ev.id)

            task = asyncio.create_task(consume())
            assert await srv.await_until(lambda: got == ["0"])
            await stream.aclose()
            await asyncio.wait_for(task, 5)  # iteration ended without an error
            assert await srv.await_until(lambda: srv.open_connections == 0)
        assert stream.state is ConnectionState.DISCONNECTED


async def test_aclose_during_the_reconnect_delay_ends_at_once() -> None:
    async with SSEServer([[Replay(1), Drop()]], log=LOG) as srv:
        states: list[StateChange] = []
        async with httpx.AsyncClient() as client:
            stream = aconnect_sse(
                client,
                srv.url(),
                backoff=Backoff(initial=60, maximum=60, jitter=False),
                on_state_change=states.append,
            )

            async def consume() -> list[str]:
                return [ev.id async for ev in stream]

            task = asyncio.create_task(consume())
            assert await srv.await_until(lambda: any(s.new is ConnectionState.RECONNECTING for s in states))
            await stream.aclose()
            assert await asyncio.wait_for(task, 5) == ["0"]
        assert len(srv.requests) == 1


def test_sync_close_from_another_thread_cuts_a_stalled_stream() -> None:
    import threading

    with SSEServer([[Replay(1), Stall()]], log=LOG) as srv, httpx.Client() as client:
        stream = connect_sse(client, srv.url(), backoff=FAST())
        got: list[str] = []
        finished = threading.Event()

        def consume() -> None:
            for ev in stream:
                got.append(ev.id)
            finished.set()

        worker = threading.Thread(target=consume, daemon=True)
        worker.start()
        assert srv.wait_until(lambda: got == ["0"])
        stream.close()
        assert finished.wait(5)
        worker.join(5)
        assert srv.wait_until(lambda: srv.open_connections == 0)


@pytest.mark.parametrize("mode", MODES)
async def test_an_id_of_a_block_cut_before_its_blank_line_is_not_resumed_from(mode: str) -> None:
    # The drop lands after the ``id:`` line of event 3 but before the blank line that
    # dispatches it: event 3 was never delivered, so Last-Event-ID must still say 2.
    async with SSEServer(
        [[Replay(3), Raw(b'id: 3\ndata: {"n":3'), Drop(mid_chunk=False)], [Replay(None)]],
        log=LOG,
        fallback=END,
    ) as srv:
        events, _, error = await run_stream(mode, srv.url())
    assert error is None
    assert [e.id for e in events] == ALL_IDS  # event 3 is not lost
    assert [r.headers.get("last-event-id") for r in srv.requests][:2] == [None, "2"]


@pytest.mark.parametrize("mode", MODES)
async def test_close_while_connecting_delivers_nothing_and_ends_at_once(mode: str) -> None:
    # close() from another thread/task can land while the stream is still connecting
    # (here: while fresh headers are fetched); the response that then arrives must be
    # dropped, not read until the server stops or the idle timeout fires.
    async with SSEServer([[Replay(None), Stall()]], log=LOG) as srv:
        box: list[Any] = []
        if mode == "async":

            async def ahf() -> dict[str, str]:
                await box[0].aclose()
                return {}

            async with httpx.AsyncClient() as client:
                stream = aconnect_sse(client, srv.url(), headers_for=ahf, idle_timeout=30)
                box.append(stream)
                got = [ev async for ev in stream]
        else:

            def hf() -> dict[str, str]:
                box[0].close()
                return {}

            def work() -> list[ServerSentEvent]:
                with httpx.Client() as client:
                    stream = connect_sse(client, srv.url(), headers_for=hf, idle_timeout=30)
                    box.append(stream)
                    return list(stream)

            got = await asyncio.wait_for(asyncio.to_thread(work), 10)
        assert got == []
        assert box[0].state is ConnectionState.DISCONNECTED
