"""BackgroundLoop and StreamHandle: callbacks, bounded dispatch, overflow policies, clean stops."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from specwire.core.errors import NotFoundError
from specwire.streaming.backoff import Backoff
from specwire.streaming.runner import BackgroundLoop, StreamHandle, StreamOverflowError
from specwire.streaming.sse import aconnect_sse
from specwire.streaming.state import ConnectionState, StateChange
from specwire.streaming.websocket import ReconnectingWebSocket

from tests.support.sse_server import Drop, Event, Replay, SSEServer, Stall, Status
from tests.support.ws_server import Expect, Send, WSServer


class Source:
    """A scripted async event source that reports states like a transport and records its life."""

    def __init__(self, items: list[Any], *, hold: bool = False, fail: BaseException | None = None) -> None:
        self.items = items
        self.hold = hold
        self.fail = fail
        self.pulled = 0
        self.closed = threading.Event()
        self.on_state: Any = None

    def open(self, on_state: Any) -> AsyncIterator[Any]:
        self.on_state = on_state
        return self._gen()

    async def _gen(self) -> AsyncIterator[Any]:
        try:
            self.on_state(StateChange(ConnectionState.DISCONNECTED, ConnectionState.CONNECTING))
            self.on_state(StateChange(ConnectionState.CONNECTING, ConnectionState.CONNECTED))
            for item in self.items:
                self.pulled += 1
                yield item
            if self.fail is not None:
                raise self.fail
            if self.hold:
                await asyncio.Event().wait()
            self.on_state(StateChange(ConnectionState.CONNECTED, ConnectionState.DISCONNECTED, reason="end"))
        finally:
            self.closed.set()


# -- BackgroundLoop ------------------------------------------------------------------------


def test_background_loop_runs_submits_and_stops() -> None:
    bg = BackgroundLoop()

    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    assert bg.run(add(1, 2)) == 3
    assert bg.submit(add(2, 3)).result(5) == 5
    thread = bg._thread
    assert thread is not None and thread.is_alive() and thread.daemon
    bg.stop()
    assert not thread.is_alive()
    bg.stop()  # idempotent


def test_background_loop_cancels_pending_tasks_on_stop() -> None:
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    with BackgroundLoop() as bg:
        bg.submit(forever())
        bg.run(asyncio.sleep(0))
    assert cancelled.is_set()


def test_background_loop_run_from_its_own_thread_is_refused() -> None:
    with BackgroundLoop() as bg:

        async def nested() -> None:
            bg.run(asyncio.sleep(0))

        with pytest.raises(RuntimeError, match="deadlock"):
            bg.run(nested())


# -- callbacks -----------------------------------------------------------------------------


def test_callbacks_get_events_and_states_in_order_and_stop_joins() -> None:
    src = Source(list(range(5)), hold=True)
    seen: list[Any] = []
    done = threading.Event()

    def on_event(ev: int) -> None:
        seen.append(ev)
        if ev == 4:
            done.set()

    handle = StreamHandle(src.open, on_event=on_event, on_state_change=lambda s: seen.append(s.new))
    assert handle.start(timeout=5) is True
    assert done.wait(5)
    dispatcher = handle._dispatcher
    assert isinstance(dispatcher, threading.Thread)
    handle.stop()
    assert seen == [ConnectionState.CONNECTING, ConnectionState.CONNECTED, 0, 1, 2, 3, 4]
    assert src.closed.is_set()  # the stream (and so its socket) was closed
    assert not dispatcher.is_alive()
    assert not handle.running


def test_block_overflow_applies_backpressure_and_loses_nothing() -> None:
    release = threading.Event()
    got: list[int] = []

    def slow(ev: int) -> None:
        release.wait(5)
        got.append(ev)

    src = Source(list(range(50)))
    handle = StreamHandle(src.open, on_event=slow, queue_size=4)
    handle.start(timeout=5)
    # the reader stalls once the queue is full: 4 queued + 1 in the callback + 1 waiting to be put
    assert wait_until(lambda: src.pulled >= 6)
    assert not wait_until(lambda: src.pulled > 6, timeout=0.1)
    release.set()
    assert handle.wait_finished(5)
    handle.stop()
    assert got == list(range(50))
    assert handle.dropped == 0


def test_drop_oldest_keeps_the_newest_and_reports_every_drop() -> None:
    release = threading.Event()
    got: list[int] = []
    errors: list[BaseException] = []

    def slow(ev: int) -> None:
        release.wait(5)
        got.append(ev)

    src = Source(list(range(100)))
    handle = StreamHandle(
        src.open, on_event=slow, on_error=errors.append, queue_size=5, overflow="drop_oldest"
    )
    handle.start(timeout=5)
    assert wait_until(lambda: src.closed.is_set())  # the reader never waited for the slow callback
    release.set()
    assert handle.wait_finished(5)
    handle.stop()
    overflow = [e for e in errors if isinstance(e, StreamOverflowError)]
    dropped = sum(e.dropped for e in overflow)
    assert overflow and dropped == handle.dropped == 100 - len(got)
    assert overflow[-1].total_dropped == dropped
    assert got[-5:] == list(range(95, 100))  # the newest survive
    assert got == sorted(got)


def test_exception_in_a_callback_is_reported_and_the_stream_goes_on() -> None:
    errors: list[BaseException] = []
    got: list[int] = []

    def flaky(ev: int) -> None:
        if ev == 2:
            raise ValueError("callback bug")
        got.append(ev)

    src = Source(list(range(5)))
    handle = StreamHandle(src.open, on_event=flaky, on_error=errors.append)
    handle.start(timeout=5)
    assert handle.wait_finished(5)
    handle.stop()
    assert got == [0, 1, 3, 4]
    assert len(errors) == 1 and str(errors[0]) == "callback bug"


def test_exception_in_on_error_itself_is_only_logged() -> None:
    def bad_on_error(exc: BaseException) -> None:
        raise RuntimeError("worse")

    got: list[int] = []

    def flaky(ev: int) -> None:
        if ev == 0:
            raise ValueError("x")
        got.append(ev)

    handle = StreamHandle(Source([0, 1, 2]).open, on_event=flaky, on_error=bad_on_error)
    handle.start(timeout=5)
    assert handle.wait_finished(5)
    handle.stop()
    assert got == [1, 2]


def test_terminal_stream_error_goes_to_on_error() -> None:
    errors: list[BaseException] = []
    got: list[int] = []
    boom = RuntimeError("upstream gone")
    handle = StreamHandle(Source([1, 2], fail=boom).open, on_event=got.append, on_error=errors.append)
    handle.start(timeout=5)
    assert handle.wait_finished(5)
    handle.stop()
    assert got == [1, 2] and errors == [boom] and handle.error is boom


def test_start_returns_false_when_not_connected_in_time_and_stop_still_joins() -> None:
    closed = threading.Event()

    async def never(on_state: Any) -> AsyncIterator[int]:
        try:
            await asyncio.Event().wait()
            yield 1
        finally:
            closed.set()

    handle: StreamHandle[int] = StreamHandle(never)
    assert handle.start(timeout=0.05) is False
    handle.stop()
    assert closed.is_set()


def test_context_manager_starts_and_stops() -> None:
    src = Source([1], hold=True)
    got: list[int] = []
    with StreamHandle(src.open, on_event=got.append) as handle:
        assert handle.connected
        assert wait_until(lambda: got == [1])
    assert src.closed.is_set()


def test_shared_loop_is_not_stopped_by_the_handle() -> None:
    with BackgroundLoop() as bg:
        src = Source([1, 2, 3])
        got: list[int] = []
        handle = StreamHandle(src.open, on_event=got.append, loop=bg)
        handle.start(timeout=5)
        assert handle.wait_finished(5)
        handle.stop()
        assert bg.running
        assert got == [1, 2, 3]


# -- iteration -----------------------------------------------------------------------------


def test_sync_iteration_yields_everything_and_break_closes_the_stream() -> None:
    src = Source(list(range(10)), hold=True)
    handle = StreamHandle(src.open)
    got = []
    for ev in handle:
        got.append(ev)
        if ev == 9:
            break
    assert got == list(range(10))
    assert src.closed.is_set()


def test_sync_iteration_raises_the_terminal_error() -> None:
    handle = StreamHandle(Source([1], fail=LookupError("gone")).open)
    got = []
    with pytest.raises(LookupError, match="gone"):
        for ev in handle:
            got.append(ev)
    assert got == [1]


def test_keyboard_interrupt_in_the_loop_body_closes_the_stream() -> None:
    src = Source(list(range(3)), hold=True)
    with pytest.raises(KeyboardInterrupt):
        for _ in StreamHandle(src.open):
            raise KeyboardInterrupt
    assert src.closed.is_set()


async def test_async_iteration_on_the_callers_loop_with_state_callbacks() -> None:
    src = Source(list(range(4)))
    states: list[ConnectionState] = []
    handle = StreamHandle(src.open, on_state_change=lambda s: states.append(s.new))
    got = [ev async for ev in handle]
    assert got == [0, 1, 2, 3]
    assert states == [ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.DISCONNECTED]
    assert src.closed.is_set()


async def test_async_callback_mode_with_coroutine_callbacks() -> None:
    got: list[int] = []

    async def on_event(ev: int) -> None:
        await asyncio.sleep(0)
        got.append(ev)

    src = Source(list(range(20)), hold=True)
    async with StreamHandle(src.open, on_event=on_event, queue_size=3) as handle:
        assert handle.connected
        for _ in range(500):
            if len(got) == 20:
                break
            await asyncio.sleep(0.002)
    assert got == list(range(20))
    assert src.closed.is_set()


def test_bad_options_are_rejected() -> None:
    with pytest.raises(ValueError, match="queue_size"):
        StreamHandle(Source([]).open, queue_size=0)
    with pytest.raises(ValueError, match="overflow"):
        StreamHandle(Source([]).open, overflow="drop_newest")  # type: ignore[arg-type]


# -- with the real transports --------------------------------------------------------------


def test_sync_callbacks_over_a_resumable_sse_stream() -> None:
    log = [Event({"n": i}, id=str(i)) for i in range(6)]
    with SSEServer([[Replay(3), Drop()], [Replay(None), Stall()]], log=log) as srv:
        got: list[str] = []
        states: list[ConnectionState] = []
        client = httpx.AsyncClient()

        def open_stream(on_state: Any) -> Any:
            return aconnect_sse(
                client,
                lambda c: srv.url(**({"cursor": c} if c else {})),
                on_state_change=on_state,
                backoff=Backoff(0.001, 0.005),
            )

        handle = StreamHandle(
            open_stream, on_event=lambda ev: got.append(ev.id), on_state_change=lambda s: states.append(s.new)
        )
        assert handle.start(timeout=5)
        assert wait_until(lambda: len(got) == 6)
        handle.stop()
        assert srv.wait_until(lambda: srv.open_connections == 0)
    assert got == [str(i) for i in range(6)]
    assert states.count(ConnectionState.CONNECTED) == 2 and ConnectionState.RECONNECTING in states
    assert states[-1] is ConnectionState.DISCONNECTED


def test_sync_callbacks_report_a_terminal_sse_error() -> None:
    with SSEServer([[Status(404, {"message": "stream deleted"})]]) as srv:
        errors: list[BaseException] = []
        client = httpx.AsyncClient()
        handle = StreamHandle(
            lambda on_state: aconnect_sse(client, srv.url(), on_state_change=on_state), on_error=errors.append
        )
        assert handle.start(timeout=2) is False
        assert handle.wait_finished(5)
        handle.stop()
    assert len(errors) == 1 and isinstance(errors[0], NotFoundError)


def test_sync_iteration_over_a_reconnecting_websocket() -> None:
    with WSServer([[Expect("sub"), Send("a"), Send("b")]]) as srv:

        async def on_connect(ws: Any) -> None:
            await ws.send("sub")

        handle = StreamHandle(
            lambda on_state: ReconnectingWebSocket(srv.url(), on_connect=on_connect, on_state_change=on_state)
        )
        got = []
        for frame in handle:
            got.append(frame)
            if len(got) == 2:
                break
        assert srv.wait_until(lambda: srv.open_connections == 0)
    assert got == ["a", "b"]


def wait_until(predicate: Any, timeout: float = 5.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


async def test_async_iteration_break_closes_the_stream() -> None:
    src = Source(list(range(10)), hold=True)
    handle = StreamHandle(src.open)
    async for ev in handle:
        if ev == 2:
            break
    # the abandoned async generator is finalized by the loop on its next turns
    for _ in range(20):
        if src.closed.is_set():
            break
        await asyncio.sleep(0)
    assert src.closed.is_set()


def test_a_callback_may_stop_its_own_stream() -> None:
    src = Source(list(range(100)), hold=True)
    got: list[int] = []
    states: list[ConnectionState] = []
    handle: StreamHandle[int]

    def on_event(ev: int) -> None:
        got.append(ev)
        if ev == 3:
            handle.stop()

    handle = StreamHandle(
        src.open, on_event=on_event, on_state_change=lambda s: states.append(s.new), queue_size=2
    )
    handle.start(timeout=5)
    assert handle.wait_finished(5)
    assert src.closed.wait(5)
    assert got[:4] == [0, 1, 2, 3] and len(got) <= 4
    assert not handle.running


def test_report_error_reaches_on_error_on_the_dispatcher_in_order() -> None:
    seen: list[Any] = []
    threads: set[str] = set()
    handle: StreamHandle[int]

    async def feed(on_state: Any) -> AsyncIterator[int]:
        on_state(StateChange(ConnectionState.CONNECTING, ConnectionState.CONNECTED))
        yield 1
        handle.report_error(ValueError("malformed frame skipped"))  # a non-fatal transport error
        yield 2

    def on_error(exc: BaseException) -> None:
        threads.add(threading.current_thread().name)
        seen.append(str(exc))

    def on_event(ev: int) -> None:
        threads.add(threading.current_thread().name)
        seen.append(ev)

    handle = StreamHandle(feed, on_event=on_event, on_error=on_error, name="t")
    handle.start(timeout=5)
    assert handle.wait_finished(5)
    handle.stop()
    assert seen == [1, "malformed frame skipped", 2]
    assert threads == {"specwire-t-dispatch"}


async def test_async_callback_mode_stop_still_delivers_the_final_disconnected() -> None:
    # The sync ``stop()`` drains state changes to the dispatcher; ``astop()`` must too, or an
    # ``async with`` user never learns the stream went DISCONNECTED.
    log = [Event({"n": i}, id=str(i)) for i in range(3)]
    with SSEServer([[Replay(None), Stall()]], log=log) as srv:
        got: list[str] = []
        states: list[ConnectionState] = []
        async with httpx.AsyncClient() as client:

            def open_stream(on_state: Any) -> Any:
                return aconnect_sse(client, srv.url(), on_state_change=on_state)

            async with StreamHandle(
                open_stream,
                on_event=lambda ev: got.append(ev.id),
                on_state_change=lambda s: states.append(s.new),
            ):
                for _ in range(500):
                    if len(got) == 3:
                        break
                    await asyncio.sleep(0.002)
            assert got == ["0", "1", "2"]
            assert states[-1] is ConnectionState.DISCONNECTED, states
