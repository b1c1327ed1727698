"""Run async streams for sync, callback-style code.

Two pieces:

* :class:`BackgroundLoop` — an asyncio event loop on a daemon thread. ``run(coro)``
  blocks for the result, ``submit(coro)`` returns a :class:`concurrent.futures.Future`,
  ``stop()`` cancels what is left and joins the thread.
* :class:`StreamHandle` — owns one stream (any async iterator: an SSE subscription,
  a :class:`~specwire.streaming.websocket.ReconnectingWebSocket`, a SignalR hub
  feed, ...) and delivers it three ways with one behaviour:

  - callbacks: ``on_event``, ``on_state_change``, ``on_error`` run on a dispatcher
    thread (sync ``start()``/``stop()``, or ``with handle:``) or a dispatcher task
    (``async with handle:``), fed through a **bounded** queue so a slow callback
    stalls the socket reader only once the queue is full;
  - ``for event in handle`` (sync, events cross from the loop thread);
  - ``async for event in handle`` (on the caller's own loop, no thread).

Overflow policy when the queue is full (``queue_size`` events):

* ``overflow="block"`` (default): the reader waits for room — backpressure, nothing
  is lost; the server or the kernel's buffers absorb the burst.
* ``overflow="drop_oldest"``: the oldest *event* still queued is discarded to make
  room (state changes and errors are never dropped); drops are reported to
  ``on_error`` as :class:`StreamOverflowError` whose ``dropped`` counts the events
  lost since the previous report (``total_dropped`` since start).

An exception raised by a user callback is logged and passed to ``on_error``; it
never stops the stream (an exception in ``on_error`` itself is only logged). A
terminal stream failure goes to ``on_error`` in callback mode and is re-raised by
the iterating forms. ``stop()`` closes the stream (which closes its socket), discards
events still queued (state changes still arrive, so the final DISCONNECTED is seen)
and joins the dispatcher; ``break``, task cancellation and ``KeyboardInterrupt`` in
the iterating forms close it too. Callbacks run on the dispatcher thread, never on
the loop: they may block, and may call ``stop()`` themselves.

The stream is built by ``open_stream(on_state_change)`` on the loop that consumes
it, so the handle can route the transport's state changes to the callbacks in
order with the events::

    handle = StreamHandle(
        lambda on_state: aconnect_sse(client, url_for, on_state_change=on_state),
        on_event=print,
    )
    if not handle.start(timeout=10):
        ...  # not connected yet; it keeps trying in the background
    ...
    handle.stop()
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import inspect
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from types import TracebackType
from typing import Any, Generic, Literal, Self, TypeVar

from specwire.core.errors import StreamError
from specwire.streaming.state import ConnectionState, StateChange

__all__ = ["BackgroundLoop", "StreamHandle", "StreamOverflowError", "Overflow"]

logger = logging.getLogger("specwire.streaming.runner")

T = TypeVar("T")
Overflow = Literal["block", "drop_oldest"]
StateCallback = Callable[[StateChange], Any]
OpenStream = Callable[[StateCallback], "AsyncIterator[T] | Awaitable[AsyncIterator[T]]"]


class StreamOverflowError(StreamError):
    """Events were dropped because the callback queue was full (``overflow="drop_oldest"``)."""

    def __init__(self, dropped: int, total_dropped: int, queue_size: int) -> None:
        super().__init__(
            f"callback queue full ({queue_size} events): dropped {dropped} oldest event(s), "
            f"{total_dropped} in total"
        )
        self.dropped = dropped
        self.total_dropped = total_dropped
        self.queue_size = queue_size


class BackgroundLoop:
    """An asyncio loop on a daemon thread, for sync code that drives async streams.

    Started lazily by the first ``run``/``submit``; ``stop()`` cancels remaining
    tasks, shuts down async generators and joins the thread. Safe to share between
    several streams; usable as a context manager.
    """

    def __init__(self, name: str = "specwire-loop") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (starting it if needed)."""
        with self._lock:
            if self._loop is None:
                self._start_locked()
            assert self._loop is not None
            return self._loop

    @property
    def running(self) -> bool:
        return self._loop is not None and self._thread is not None and self._thread.is_alive()

    def in_loop_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def _start_locked(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def main() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                try:
                    _cancel_all(loop)
                    loop.run_until_complete(loop.shutdown_asyncgens())
                    loop.run_until_complete(loop.shutdown_default_executor())
                finally:
                    loop.close()

        thread = threading.Thread(target=main, name=self._name, daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread = loop, thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop; returns a thread-safe future."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and block for its result (cancelled on timeout or Ctrl-C)."""
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("BackgroundLoop.run() called from its own loop thread would deadlock")
        fut = self.submit(coro)
        try:
            return fut.result(timeout)
        except BaseException:
            fut.cancel()
            raise

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Thread-safe ``loop.call_soon``."""
        self.loop.call_soon_threadsafe(fn, *args)

    def stop(self, timeout: float | None = 10.0) -> None:
        """Cancel pending tasks, stop the loop and join its thread. Idempotent."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        if threading.current_thread() is thread:
            raise RuntimeError("BackgroundLoop.stop() cannot be called from its own loop thread")
        with contextlib.suppress(RuntimeError):  # already closed
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for t in tasks:
        t.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


# --------------------------------------------------------------------------------------
# Items travelling through the dispatch queue
# --------------------------------------------------------------------------------------

_EVENT, _STATE, _ERROR, _END = 0, 1, 2, 3


class _Bridge:
    """A bounded queue from the loop thread (producer) to one consumer thread or task.

    Only events count against ``maxsize``; state changes, errors and the end marker
    always get in, so they are never dropped and never block (not even after
    ``close()``, so the final DISCONNECTED still reaches ``on_state_change``).
    """

    def __init__(self, maxsize: int, overflow: Overflow, loop: asyncio.AbstractEventLoop) -> None:
        self.maxsize = maxsize
        self.overflow = overflow
        self.loop = loop
        self.items: collections.deque[tuple[int, Any]] = collections.deque()
        self.events = 0
        self.cond = threading.Condition()
        self.room: asyncio.Event | None = None  # set by the consumer when the producer waits
        self.pending_drops = 0
        self.total_drops = 0
        self.closed = False
        self.async_waiter: asyncio.Future[None] | None = None

    # producer side (always on the loop thread)
    async def put_event(self, item: Any) -> None:
        while True:
            with self.cond:
                if self.closed:
                    return
                if self.events < self.maxsize:
                    self.items.append((_EVENT, item))
                    self.events += 1
                    self.cond.notify()
                    self._wake_async()
                    return
                if self.overflow == "drop_oldest":
                    self._drop_oldest_locked()
                    self.items.append((_EVENT, item))
                    self.events += 1
                    self.cond.notify()
                    self._wake_async()
                    return
                room = self.room = asyncio.Event()
            await room.wait()

    def put_control(self, kind: int, value: Any) -> None:
        with self.cond:
            self.items.append((kind, value))
            self.cond.notify()
            self._wake_async()

    def _drop_oldest_locked(self) -> None:
        for i, (kind, _) in enumerate(self.items):
            if kind == _EVENT:
                del self.items[i]
                self.events -= 1
                self.pending_drops += 1
                self.total_drops += 1
                return

    def _wake_async(self) -> None:
        w = self.async_waiter
        if w is not None and not w.done():
            w.set_result(None)

    def _release_room_locked(self) -> None:
        room = self.room
        if room is not None and self.events < self.maxsize:
            self.room = None
            self.loop.call_soon_threadsafe(room.set)

    # consumer side
    def take_drops_locked(self) -> int:
        n, self.pending_drops = self.pending_drops, 0
        return n

    def get_blocking(self, poll: float = 0.25) -> tuple[int, Any]:
        """Thread consumer: wait for the next item (wakes periodically so Ctrl-C works)."""
        with self.cond:
            while not self.items:
                self.cond.wait(poll)
            return self._pop_locked()

    def _pop_locked(self) -> tuple[int, Any]:
        drops = self.take_drops_locked()
        if drops:
            return _ERROR, StreamOverflowError(drops, self.total_drops, self.maxsize)
        kind, value = self.items.popleft()
        if kind == _EVENT:
            self.events -= 1
            self._release_room_locked()
        return kind, value

    async def get_async(self) -> tuple[int, Any]:
        """Task consumer on the same loop as the producer."""
        while True:
            with self.cond:
                if self.items or self.pending_drops:
                    return self._pop_locked()
                self.async_waiter = self.loop.create_future()
                waiter = self.async_waiter
            await waiter

    def close(self) -> None:
        """Discard queued events; state changes and errors still reach the consumer, then the end."""
        with self.cond:
            self.closed = True
            self.items = collections.deque(item for item in self.items if item[0] != _EVENT)
            self.events = 0
            self.pending_drops = 0
            room, self.room = self.room, None
            self.cond.notify_all()
            waiter = self.async_waiter
        if room is not None or waiter is not None:
            with contextlib.suppress(RuntimeError):  # the loop may already be closed
                self.loop.call_soon_threadsafe(self._wake_after_close, room)

    def _wake_after_close(self, room: asyncio.Event | None) -> None:
        if room is not None:
            room.set()
        self._wake_async()


class StreamHandle(Generic[T]):
    """One live stream, consumable by callbacks, ``for`` or ``async for``. See the module docstring."""

    def __init__(
        self,
        open_stream: OpenStream[T],
        *,
        on_event: Callable[[T], Any] | None = None,
        on_state_change: StateCallback | None = None,
        on_error: Callable[[BaseException], Any] | None = None,
        queue_size: int = 1024,
        overflow: Overflow = "block",
        loop: BackgroundLoop | None = None,
        name: str = "stream",
    ) -> None:
        if queue_size < 1:
            raise ValueError(f"queue_size must be >= 1, got {queue_size!r}")
        if overflow not in ("block", "drop_oldest"):
            raise ValueError(f"overflow must be 'block' or 'drop_oldest', got {overflow!r}")
        self._open_stream = open_stream
        self.on_event = on_event
        self.on_state_change = on_state_change
        self.on_error = on_error
        self.queue_size = queue_size
        self.overflow: Overflow = overflow
        self.name = name
        self._own_loop = loop is None
        self._bg = loop
        self._state = ConnectionState.DISCONNECTED
        self._connected = threading.Event()
        self._wake = threading.Event()  # connected, or the reader ended
        self._finished = threading.Event()
        self._reader: concurrent.futures.Future[None] | asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._awake: asyncio.Event | None = None  # async mode: set on connect or finish
        self._dispatcher: threading.Thread | asyncio.Task[None] | None = None
        self._bridge: _Bridge | None = None
        self._stream: AsyncIterator[T] | None = None
        self._error: BaseException | None = None
        self._stopping = False

    # -- public state -----------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def connected(self) -> bool:
        return self._state is ConnectionState.CONNECTED

    @property
    def running(self) -> bool:
        return self._reader is not None and not self._finished.is_set()

    @property
    def error(self) -> BaseException | None:
        """The terminal failure of the stream, if it ended with one."""
        return self._error

    @property
    def dropped(self) -> int:
        """Events dropped so far under ``overflow="drop_oldest"``."""
        return self._bridge.total_drops if self._bridge is not None else 0

    def report_error(self, exc: BaseException) -> None:
        """Deliver a non-fatal stream error to ``on_error`` in order with the events.

        Thread-safe. Give it to the transport instead of the raw ``on_error`` (e.g.
        ``open_stream=lambda on_state: Feed(on_state_change=on_state, on_error=handle.report_error)``)
        so user callbacks never run on the loop thread, concurrently with the dispatcher.
        """
        bridge = self._bridge
        if bridge is not None:
            bridge.put_control(_ERROR, exc)
        else:  # direct ``async for`` mode: no dispatcher, report right here
            self._report(exc)

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Block until the stream reports CONNECTED (or delivered an event)."""
        return self._connected.wait(timeout)

    def wait_finished(self, timeout: float | None = None) -> bool:
        """Block until the stream has ended (closed, failed or stopped)."""
        return self._finished.wait(timeout)

    # -- the reader (runs on the loop that owns the stream) ----------------------------

    def _note_state(self, change: StateChange) -> None:
        self._state = change.new
        if change.new is ConnectionState.CONNECTED:
            self._mark_connected()
        else:
            self._connected.clear()

    def _mark_connected(self) -> None:
        self._connected.set()
        self._wake.set()
        if self._awake is not None:
            self._awake.set()

    def _on_transport_state(self, change: StateChange) -> None:
        # called synchronously by the transport, on the loop that reads the stream
        self._note_state(change)
        bridge = self._bridge
        if bridge is not None:
            bridge.put_control(_STATE, change)
        elif self.on_state_change is not None:  # direct ``async for`` mode
            try:
                self.on_state_change(change)
            except Exception as exc:
                logger.exception("%s: on_state_change raised; the stream goes on", self.name)
                self._report(exc)

    async def _open(self) -> AsyncIterator[T]:
        stream = self._open_stream(self._on_transport_state)
        if inspect.isawaitable(stream):
            stream = await stream
        return stream  # type: ignore[return-value]

    async def _read(self, bridge: _Bridge) -> None:
        self._task = asyncio.current_task()
        stream: AsyncIterator[T] | None = None
        try:
            stream = await self._open()
            self._stream = stream
            async for item in stream:
                if not self._connected.is_set():
                    self._mark_connected()
                await bridge.put_event(item)
                if bridge.closed:
                    break
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a terminal stream failure: reported, not raised into the loop
            self._error = exc
            bridge.put_control(_ERROR, exc)
        finally:
            if stream is not None:
                await _aclose(stream)
            if self._state is not ConnectionState.DISCONNECTED:
                self._note_state(
                    StateChange(old=self._state, new=ConnectionState.DISCONNECTED, reason="stopped")
                )
            bridge.put_control(_END, None)
            self._wake.set()
            if self._awake is not None:
                self._awake.set()

    # -- callback delivery ------------------------------------------------------------

    def _report(self, exc: BaseException) -> None:
        cb = self.on_error
        if cb is None:
            logger.error("%s: %s", self.name, exc, exc_info=exc if not isinstance(exc, StreamError) else None)
            return
        try:
            cb(exc)
        except Exception:
            logger.exception("%s: on_error callback raised; ignored", self.name)

    def _deliver(self, kind: int, value: Any) -> None:
        try:
            if kind == _EVENT:
                if self.on_event is not None:
                    self.on_event(value)
            elif kind == _STATE:
                if self.on_state_change is not None:
                    self.on_state_change(value)
            elif kind == _ERROR:
                self._report(value)
        except Exception as exc:
            logger.exception("%s: callback raised; the stream goes on", self.name)
            self._report(exc)

    def _dispatch_thread(self, bridge: _Bridge) -> None:
        try:
            while True:
                kind, value = bridge.get_blocking()
                if kind == _END:
                    return
                self._deliver(kind, value)
        finally:
            self._finished.set()

    # -- sync callback mode -----------------------------------------------------------

    def start(self, timeout: float | None = 10.0) -> bool:
        """Start reading on the background loop and dispatching callbacks on a thread.

        Returns True once connected; False if the stream ended first (see ``error``)
        or is not connected within ``timeout`` seconds (it then keeps trying in the
        background; ``stop()`` ends it).
        """
        if self._reader is not None:
            raise RuntimeError("stream already started")
        if self._bg is None:
            self._bg = BackgroundLoop(name=f"specwire-{self.name}")
        loop = self._bg.loop
        bridge = self._bridge = _Bridge(self.queue_size, self.overflow, loop)
        self._finished.clear()
        self._wake.clear()
        self._dispatcher = threading.Thread(
            target=self._dispatch_thread, args=(bridge,), name=f"specwire-{self.name}-dispatch", daemon=True
        )
        self._dispatcher.start()
        self._reader = self._bg.submit(self._read(bridge))
        self._wake.wait(timeout)
        return self._connected.is_set()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Close the stream and join the dispatcher. Events still queued are discarded."""
        if self._stopping:
            return
        self._stopping = True
        try:
            reader, bridge, dispatcher = self._reader, self._bridge, self._dispatcher
            if bridge is not None:
                bridge.close()
            if isinstance(reader, concurrent.futures.Future) and self._bg is not None:
                if self._bg.in_loop_thread():
                    raise RuntimeError("StreamHandle.stop() called from its loop thread; use astop()")
                task = self._task
                if task is not None and not reader.done():
                    # cancel on the loop and wait until the stream (and its socket) is closed
                    with contextlib.suppress(Exception):
                        self._bg.run(_cancel_and_wait(task), timeout)
                reader.cancel()
            if isinstance(dispatcher, threading.Thread) and dispatcher is not threading.current_thread():
                dispatcher.join(timeout)
            if self._own_loop and self._bg is not None:
                self._bg.stop(timeout)
                self._bg = None
        finally:
            self._finished.set()
            self._reader = None
            self._dispatcher = None
            self._stopping = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- async callback mode ----------------------------------------------------------

    async def astart(self, timeout: float | None = 10.0) -> bool:
        """Async twin of :meth:`start`: reader and dispatcher are tasks on the running loop.

        Callbacks may be plain functions or coroutine functions.
        """
        if self._reader is not None:
            raise RuntimeError("stream already started")
        loop = asyncio.get_running_loop()
        bridge = self._bridge = _Bridge(self.queue_size, self.overflow, loop)
        self._finished.clear()
        awake = self._awake = asyncio.Event()
        self._reader = loop.create_task(self._read(bridge), name=f"specwire-{self.name}-reader")
        self._dispatcher = loop.create_task(
            self._dispatch_task(bridge), name=f"specwire-{self.name}-dispatch"
        )
        try:
            await asyncio.wait_for(awake.wait(), timeout)
        except TimeoutError:
            return False
        return self._connected.is_set()

    async def _dispatch_task(self, bridge: _Bridge) -> None:
        try:
            while True:
                kind, value = await bridge.get_async()
                if kind == _END:
                    return
                await self._adeliver(kind, value)
        finally:
            self._finished.set()

    async def _adeliver(self, kind: int, value: Any) -> None:
        cb: Callable[[Any], Any] | None
        if kind == _EVENT:
            cb = self.on_event
        elif kind == _STATE:
            cb = self.on_state_change
        else:
            cb = self._report
        if cb is None:
            return
        try:
            result = cb(value)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            logger.exception("%s: callback raised; the stream goes on", self.name)
            self._report(exc)

    async def astop(self, timeout: float | None = 10.0) -> None:
        """Async twin of :meth:`stop`: events still queued are discarded, state changes are delivered.

        The dispatcher is given ``timeout`` seconds to deliver the last state changes
        (the final DISCONNECTED) before it is cancelled.
        """
        reader, bridge, dispatcher = self._reader, self._bridge, self._dispatcher
        if bridge is not None:
            bridge.close()
        current = asyncio.current_task()
        if isinstance(reader, asyncio.Task) and reader is not current:
            if not reader.done():
                reader.cancel()
            # (asyncio.wait, not ``await reader``: a cancellation of astop's caller must propagate)
            await asyncio.wait({reader})  # its ``finally`` closes the stream and queues the end marker
        if isinstance(dispatcher, asyncio.Task) and dispatcher is not current:
            # let it drain state changes up to the end marker, like the sync stop() joins its thread
            await asyncio.wait({dispatcher}, timeout=timeout)
            if not dispatcher.done():
                dispatcher.cancel()
                await asyncio.wait({dispatcher})
        self._finished.set()
        self._reader = None
        self._dispatcher = None

    async def __aenter__(self) -> Self:
        await self.astart()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.astop()

    # -- iteration --------------------------------------------------------------------

    def __iter__(self) -> Iterator[T]:
        """Sync iteration: the stream runs on the background loop, events arrive here in order.

        State changes still go to ``on_state_change``; a terminal failure is raised.
        Leaving the loop (``break``, an exception, Ctrl-C) stops the stream.
        """
        if self._reader is not None:
            raise RuntimeError("stream already started")
        if self._bg is None:
            self._bg = BackgroundLoop(name=f"specwire-{self.name}")
        loop = self._bg.loop
        bridge = self._bridge = _Bridge(self.queue_size, self.overflow, loop)
        self._reader = self._bg.submit(self._read(bridge))
        try:
            while True:
                kind, value = bridge.get_blocking()
                if kind == _END:
                    if self._error is not None:
                        raise self._error
                    return
                if kind == _EVENT:
                    yield value
                else:
                    self._deliver(kind, value)
        finally:
            self.stop()

    async def __aiter__(self) -> AsyncIterator[T]:
        """Async iteration on the caller's loop: no thread, no queue, same state callbacks."""
        if self._reader is not None:
            raise RuntimeError("stream already started")
        self._bridge = None
        stream = await self._open()
        self._stream = stream
        try:
            async for item in stream:
                if not self._connected.is_set():
                    self._mark_connected()
                yield item
        finally:
            await _aclose(stream)
            self._finished.set()


async def _aclose(stream: Any) -> None:
    close = getattr(stream, "aclose", None)
    if close is None:
        return
    try:
        await close()
    except Exception:
        logger.debug("error while closing a stream", exc_info=True)


async def _cancel_and_wait(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
