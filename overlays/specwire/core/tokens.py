"""A token cache that renews exactly once per expiry, for every thread and task.

When a session token expires, every in-flight request gets a 401 at about the
same moment. Each of them calls ``renew(stale_token)``; the first becomes the
*leader* and fetches a new token, the rest wait for the leader's result
instead of logging in again (which would waste rate-limit budget and, on some
APIs, invalidate the token the leader just received). A caller whose stale
token was already replaced gets the current token straight away.

Waiting works across threads and asyncio tasks alike: the leader publishes
its result through a ``concurrent.futures.Future`` that threads block on and
tasks await. (Do not call the *sync* methods from inside a running event loop
while an async renewal is under way: that thread would block its own loop.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Awaitable, Callable

from specwire.core.errors import ConfigurationError, SpecwireError
from specwire.core.redact import MASK, register_secret

__all__ = ["CachedTokenProvider", "TokenRenewalCancelled"]

Fetch = Callable[[str | None], str]
AsyncFetch = Callable[[str | None], Awaitable[str]]


class TokenRenewalCancelled(SpecwireError):
    """The caller that was renewing the token was cancelled; waiters get this instead of a token."""


class CachedTokenProvider:
    """A :class:`~specwire.core.auth.TokenProvider` over a ``fetch(stale_token)`` function.

    ``fetch`` receives the token being replaced (``None`` the first time), so
    a provider can choose between refreshing it and logging in afresh.
    ``afetch`` is its async twin; without it the async path runs ``fetch`` in a
    worker thread. ``max_age`` (seconds, by ``clock``) renews proactively before
    a token known to expire is used.
    """

    def __init__(
        self,
        fetch: Fetch,
        afetch: AsyncFetch | None = None,
        *,
        max_age: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not callable(fetch):
            raise ConfigurationError(f"fetch must be callable, got {fetch!r}")
        if max_age is not None and (isinstance(max_age, bool) or max_age <= 0):
            raise ConfigurationError(f"max_age must be a positive number of seconds, got {max_age!r}")
        self._fetch = fetch
        self._afetch = afetch
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._fetched_at = 0.0
        self._inflight: concurrent.futures.Future[str] | None = None
        self.renewals = 0

    def __repr__(self) -> str:
        state = "set" if self._token else "empty"
        return f"CachedTokenProvider(token={MASK if self._token else None!r}, state={state!r})"

    @property
    def token(self) -> str | None:
        """The current token without fetching (``None`` before the first fetch or after :meth:`invalidate`)."""
        return self._token

    def set_token(self, token: str) -> None:
        """Install a token obtained elsewhere (e.g. a login response)."""
        self._store(self._check(token))

    def invalidate(self) -> None:
        """Forget the current token; the next call fetches a new one."""
        with self._lock:
            self._token = None

    def _fresh(self) -> bool:
        if self._token is None:
            return False
        return self._max_age is None or self._clock() - self._fetched_at < self._max_age

    def _check(self, token: object) -> str:
        if not isinstance(token, str) or not token:
            raise ConfigurationError(f"token fetch returned {type(token).__name__}, expected a non-empty str")
        register_secret(token)
        return token

    def _store(self, token: str) -> None:
        with self._lock:
            self._token = token
            self._fetched_at = self._clock()

    def _join_or_lead(self, stale: str | None) -> tuple[str | None, concurrent.futures.Future[str], bool]:
        """Under the lock: a usable token, or the in-flight renewal (and whether we lead it)."""
        with self._lock:
            if self._token is not None and self._token != stale and self._fresh():
                return self._token, concurrent.futures.Future(), False
            if self._inflight is not None:
                return None, self._inflight, False
            future: concurrent.futures.Future[str] = concurrent.futures.Future()
            self._inflight = future
            return None, future, True

    def _finish(
        self, future: concurrent.futures.Future[str], token: str | None, error: BaseException | None
    ) -> None:
        with self._lock:
            if token is not None:
                self._token = token
                self._fetched_at = self._clock()
                self.renewals += 1
            self._inflight = None
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(token)  # type: ignore[arg-type]

    def get_token(self) -> str:
        with self._lock:
            if self._fresh():
                return self._token  # type: ignore[return-value]
            stale = self._token
        return self.renew(stale)

    async def aget_token(self) -> str:
        with self._lock:
            if self._fresh():
                return self._token  # type: ignore[return-value]
            stale = self._token
        return await self.arenew(stale)

    def renew(self, stale_token: str | None) -> str:
        current, future, leader = self._join_or_lead(stale_token)
        if current is not None:
            return current
        if not leader:
            return future.result()
        try:
            token = self._check(self._fetch(stale_token))
        except BaseException as exc:
            self._finish(future, None, exc)
            raise
        self._finish(future, token, None)
        return token

    async def arenew(self, stale_token: str | None) -> str:
        current, future, leader = self._join_or_lead(stale_token)
        if current is not None:
            return current
        if not leader:
            return await asyncio.wrap_future(future)
        try:
            if self._afetch is not None:
                raw = await self._afetch(stale_token)
            else:
                raw = await asyncio.to_thread(self._fetch, stale_token)
            token = self._check(raw)
        except asyncio.CancelledError:
            self._finish(future, None, TokenRenewalCancelled("token renewal was cancelled"))
            raise
        except BaseException as exc:
            self._finish(future, None, exc)
            raise
        self._finish(future, token, None)
        return token
