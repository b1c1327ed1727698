"""The bounded hand-off between the hub's socket reader and one ``async for`` consumer.

The reader pushes decoded events synchronously (no task switch per event); the
consumer pops them. When ``maxsize`` events are waiting:

* ``overflow="block"`` (default): ``push`` returns an awaitable and the hub
  reader waits on it before reading the next frame — back-pressure, nothing is
  lost, and the connection's server-timeout watchdog is paused meanwhile;
* ``overflow="drop_oldest"``: the oldest waiting events are discarded (latest
  wins, for consumers that only want fresh quotes); drops are counted in
  ``dropped`` and reported once per overflow episode through ``on_drop``.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, Literal, TypeVar

from specwire.core.errors import ConfigurationError

T = TypeVar("T")
Overflow = Literal["block", "drop_oldest"]


class EventBuffer(Generic[T]):
    def __init__(
        self,
        maxsize: int = 4096,
        overflow: Overflow = "block",
        on_drop: Callable[[int, int], Any] | None = None,
    ) -> None:
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ConfigurationError(f"queue_size must be an int >= 1, got {maxsize!r}")
        if overflow not in ("block", "drop_oldest"):
            raise ConfigurationError(f"overflow must be 'block' or 'drop_oldest', got {overflow!r}")
        self.maxsize = maxsize
        self.overflow = overflow
        self.dropped = 0
        self._on_drop = on_drop
        self._episode_drops = 0
        self._items: collections.deque[T] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._room: asyncio.Future[None] | None = None
        self._closed = False
        self._error: BaseException | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def push_one(self, event: T) -> Awaitable[None] | None:
        """Queue one event (the hot path); returns an awaitable when the caller must wait for room."""
        items = self._items
        if self._closed:
            return None
        items.append(event)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        if len(items) <= self.maxsize:
            return None
        return self._overflow()

    def push(self, events: Iterable[T]) -> Awaitable[None] | None:
        """Queue events; returns an awaitable when the caller must wait for room."""
        if self._closed:
            return None
        items = self._items
        items.extend(events)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        if len(items) <= self.maxsize:
            return None
        return self._overflow()

    def _overflow(self) -> Awaitable[None] | None:
        items = self._items
        if self.overflow == "drop_oldest":
            excess = len(items) - self.maxsize
            for _ in range(excess):
                items.popleft()
            self.dropped += excess
            first = self._episode_drops == 0
            self._episode_drops += excess
            if first and self._on_drop is not None:
                self._on_drop(excess, self.dropped)
            return None
        return self._wait_room()

    async def _wait_room(self) -> None:
        while len(self._items) > self.maxsize and not self._closed:
            room = self._room = asyncio.get_running_loop().create_future()
            await room

    def close(self, error: BaseException | None = None) -> None:
        """End the stream: the consumer drains what is queued, then stops (or raises ``error``)."""
        if self._closed:
            return
        self._closed = True
        self._error = error
        for fut in (self._waiter, self._room):
            if fut is not None and not fut.done():
                fut.set_result(None)
        self._waiter = self._room = None

    async def get(self) -> T:
        items = self._items
        while not items:
            if self._closed:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            await waiter
        item = items.popleft()
        room = self._room
        if room is not None and len(items) <= self.maxsize:
            self._room = None
            if not room.done():
                room.set_result(None)
        if not items:
            self._episode_drops = 0
        return item
