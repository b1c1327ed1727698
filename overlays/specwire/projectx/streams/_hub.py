"""The base of the market and user streams: one hub connection, one bounded event buffer,
state and error reporting, and the session's token on every connect.

Token: each (re)connect asks the session for its current token, renewing it
first when it is close to expiry; a 401 on connect renews once and retries.
The session's token listener also hands every renewed token to the connection
for its next connect, so the application never has to call ``update_token``
(it still can). The session's blocking calls run in a worker thread, so one
session serves streams on any event loop or thread.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from specwire.core.errors import ConfigurationError, StreamError
from specwire.projectx.streams._buffer import EventBuffer, Overflow
from specwire.streaming.signalr import HubConnection, TokenSource
from specwire.streaming.state import ConnectionState, StateChange

E = TypeVar("E")

logger = logging.getLogger("specwire.projectx.streams")

StateCallback = Callable[[StateChange], Any]
ErrorCallback = Callable[[BaseException], Any]


class SessionTokenSource:
    """Adapts a ProjectX ``TokenSession`` (``get_token`` / ``renew``) to the hub's token source."""

    def __init__(self, session: Any) -> None:
        if not callable(getattr(session, "get_token", None)):
            raise ConfigurationError(f"session must offer get_token(), got {type(session).__name__}")
        self.session = session

    async def aget_token(self) -> str:
        return str(await asyncio.to_thread(self.session.get_token))

    async def arenew(self, stale: str) -> str:
        renew = getattr(self.session, "renew", None)
        if renew is None:
            return await self.aget_token()
        return str(await asyncio.to_thread(renew, stale))

    def __repr__(self) -> str:
        return f"SessionTokenSource({type(self.session).__name__})"


def resolve_session(client: Any) -> Any:
    """The token session of a ProjectX / AsyncProjectX / APIClient (or a session itself)."""
    for candidate in (client, getattr(client, "px", None)):
        if candidate is None:
            continue
        session = getattr(candidate, "session", None)
        if session is not None and callable(getattr(session, "get_token", None)):
            return session
    if callable(getattr(client, "get_token", None)):
        return client
    raise ConfigurationError(
        f"cannot find a ProjectX token session on {type(client).__name__}; pass a ProjectX, "
        "AsyncProjectX, APIClient or TokenSession"
    )


class HubStream(Generic[E]):
    """Base of :class:`MarketStream` and :class:`UserStream` (see their docs)."""

    hub_name = "hub"

    def __init__(
        self,
        url: str,
        *,
        token: TokenSource | None = None,
        session: Any = None,
        queue_size: int = 4096,
        overflow: Overflow = "block",
        confirm_subscriptions: bool = True,
        on_state_change: StateCallback | None = None,
        on_error: ErrorCallback | None = None,
        **connection_options: Any,
    ) -> None:
        if token is not None and session is not None:
            raise ConfigurationError("pass either token= or session=, not both")
        self._session = session
        source: TokenSource | None = SessionTokenSource(session) if session is not None else token
        self.connection = HubConnection(url, access_token=source, name=self.hub_name, **connection_options)
        self.confirm_subscriptions = confirm_subscriptions
        self._buffer: EventBuffer[E] = EventBuffer(queue_size, overflow, on_drop=self._on_drop)
        self._state_callbacks: list[StateCallback] = []
        self._error_callbacks: list[ErrorCallback] = []
        if on_state_change is not None:
            self._state_callbacks.append(on_state_change)
        if on_error is not None:
            self._error_callbacks.append(on_error)
        self.connection.add_state_listener(self._on_state)
        self.connection.add_error_listener(self._on_error)
        self._listening = False
        self._tasks: set[asyncio.Future[Any]] = set()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.connection!r}>"

    # ------------------------------------------------------------------ life cycle

    @property
    def state(self) -> ConnectionState:
        return self.connection.state

    @property
    def connected(self) -> bool:
        return self.connection.connected

    @property
    def dropped(self) -> int:
        """Events discarded so far under ``overflow="drop_oldest"``."""
        return self._buffer.dropped

    async def start(self) -> None:
        """Connect (raises the first connect failure) and keep the connection alive until :meth:`stop`."""
        if self._session is not None and not self._listening:
            add = getattr(self._session, "add_token_listener", None)
            if add is not None:
                add(self._on_new_token)
                self._listening = True
        await self.connection.start()

    async def stop(self) -> None:
        """Disconnect for good; an ``async for`` over the stream ends after the queued events."""
        if self._listening:
            remove = getattr(self._session, "remove_token_listener", None)
            if remove is not None:
                remove(self._on_new_token)
            self._listening = False
        await self.connection.stop()
        self._buffer.close()

    async def aclose(self) -> None:
        """Same as :meth:`stop` (so generic stream runners can close it)."""
        await self.stop()

    async def __aenter__(self: Any) -> Any:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def __aiter__(self) -> HubStream[E]:
        return self

    def __anext__(self) -> Awaitable[E]:
        return self._buffer.get()

    def update_token(self, token: str) -> None:
        """Use ``token`` from the next connect on. Not needed with a session: renewals are picked up."""
        self.connection.update_token(token)

    async def reconnect(self, reason: str = "reconnect requested") -> None:
        """Drop the socket and connect again (fresh token; subscriptions restored)."""
        await self.connection.reconnect(reason)

    def state_changes(self) -> AsyncIterator[StateChange]:
        """Async iterator of state changes from now on."""
        return self.connection.state_changes()

    def add_state_listener(self, callback: StateCallback) -> None:
        self._state_callbacks.append(callback)

    def add_error_listener(self, callback: ErrorCallback) -> None:
        self._error_callbacks.append(callback)

    # ------------------------------------------------------------------ internals

    def _on_new_token(self, token: str) -> None:
        # Called by the session on whichever thread renewed; a plain attribute store.
        self.connection.update_token(token)

    def _on_state(self, change: StateChange) -> None:
        for callback in list(self._state_callbacks):
            self._call(callback, change)
        if change.new is ConnectionState.DISCONNECTED and self.connection.terminal_error is not None:
            self._buffer.close(self.connection.terminal_error)

    def _on_error(self, error: BaseException) -> None:
        for callback in list(self._error_callbacks):
            self._call(callback, error)

    def _on_drop(self, dropped: int, total: int) -> None:
        self._on_error(
            StreamError(
                f"{self.hub_name} stream queue full ({self._buffer.maxsize} events): dropping the oldest "
                f"events ({total} dropped so far)"
            )
        )

    def _call(self, callback: Callable[[Any], Any], value: Any) -> None:
        try:
            result = callback(value)
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        except Exception:
            logger.exception("%s stream: callback %r raised; the stream goes on", self.hub_name, callback)

    def _subscription_args(self) -> list[tuple[str, tuple[Any, ...]]]:
        return self.connection.subscriptions


def check_contract_ids(contract_ids: tuple[Any, ...]) -> list[str]:
    if not contract_ids:
        raise ConfigurationError("give at least one contract id, e.g. 'CON.F.US.EP.U25'")
    out: list[str] = []
    for cid in contract_ids:
        if not isinstance(cid, str) or not cid.strip() or cid != cid.strip():
            raise ConfigurationError(
                f"contract id must be a non-empty string like 'CON.F.US.EP.U25', got {cid!r}"
            )
        out.append(cid)
    return out


def check_account_id(account_id: Any) -> int:
    if isinstance(account_id, bool) or not isinstance(account_id, int) or account_id <= 0:
        raise ConfigurationError(f"account id must be a positive int, got {account_id!r}")
    return account_id
