"""What every loopback test server shares: the same server usable from async tests
(``async with``, on the test's loop) and from sync tests (``with``, on a background loop),
and polling helpers for "eventually" assertions from either side."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import Self

from specwire.streaming.runner import BackgroundLoop


class ServedOnLoopback:
    """Mixin: subclasses implement ``async start()`` and ``async stop()``."""

    loop_name = "test-server"
    _bg: BackgroundLoop | None = None

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def __enter__(self) -> Self:
        self._bg = BackgroundLoop(name=self.loop_name)
        self._bg.run(self.start(), timeout=5)
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._bg is not None
        self._bg.run(self.stop(), timeout=5)  # asyncio servers are not thread-safe: stop on their loop
        self._bg.stop()
        self._bg = None

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate`` from any thread (e.g. "the client closed its connection")."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    async def await_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.002)
        return True
