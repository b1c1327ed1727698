"""The seed library's callback classes, ``DataStream`` and ``UserHubStream``, for plain sync code.

They run a :class:`MarketStream` / :class:`UserStream` on a background event
loop (:class:`~specwire.streaming.runner.BackgroundLoop`) and deliver events to
the callbacks on a dispatcher thread through a bounded queue
(:class:`~specwire.streaming.runner.StreamHandle`): a slow callback does not
stall the socket reader until ``queue_size`` events wait for the callbacks
(and as many in the stream's own buffer); then, with ``overflow="block"``
(default) the socket reader pauses — nothing is lost, the server-timeout
watchdog is suspended, TCP flow control holds the server back — and with
``"drop_oldest"`` the oldest waiting events are dropped and reported to
``on_error`` (state changes and errors are never dropped).

Callbacks get what the seed's got: dicts with the Gateway's field names
(``quote["bestBid"]``, ``order["status"]``), each with its ``contractId``;
pass ``typed=True`` to get the typed events instead. The state callback gets
``"connecting"``, ``"connected"``, ``"reconnecting"``, ``"disconnected"`` or
``"error"`` (disconnected for good because of an error). Token renewal is
automatic; ``update_token`` still works (it reconnects with the given token).
An exception raised by a callback is logged and passed to ``on_error``; the
stream goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import msgspec

from specwire.core.errors import StreamError
from specwire.projectx.streams._hub import (
    HubStream,
    check_account_id,
    check_contract_ids,
    resolve_session,
)
from specwire.projectx.streams.events import (
    AccountEvent,
    DepthEvent,
    LogoutEvent,
    OrderEvent,
    PositionEvent,
    QuoteEvent,
    TradeEvent,
    UserTradeEvent,
)
from specwire.projectx.streams.market import MarketStream
from specwire.projectx.streams.user import UserStream
from specwire.streaming.runner import BackgroundLoop, StreamHandle
from specwire.streaming.state import ConnectionState, StateChange

__all__ = ["DataStream", "UserHubStream"]

logger = logging.getLogger("specwire.projectx.streams")

Callback = Callable[[Any], Any] | None


def _state_name(change: StateChange) -> str:
    if change.new is ConnectionState.DISCONNECTED and change.error is not None:
        return "error"
    return change.new.value


def _wire(struct: msgspec.Struct, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = msgspec.to_builtins(struct)
    data.update(extra)
    return data


class _SyncStream:
    """Shared start/stop/update_token over a StreamHandle running one hub stream."""

    name = "stream"

    def __init__(
        self,
        on_state_change_callback: Callback,
        on_error_callback: Callback,
        *,
        queue_size: int,
        overflow: Any,
        start_timeout: float,
    ) -> None:
        self._on_state = on_state_change_callback
        self._on_error = on_error_callback
        self._queue_size = queue_size
        self._overflow = overflow
        self.start_timeout = start_timeout
        self._loop: BackgroundLoop | None = None
        self._handle: StreamHandle[Any] | None = None
        self._stream: HubStream[Any] | None = None

    # subclasses: build the stream and subscribe
    async def _open(self, on_state: Callable[[StateChange], Any]) -> HubStream[Any]:
        raise NotImplementedError

    def _dispatch(self, event: Any) -> None:
        raise NotImplementedError

    def _state(self, change: StateChange) -> None:
        if self._on_state is not None:
            self._on_state(_state_name(change))

    def _error(self, error: BaseException) -> None:
        if self._on_error is not None:
            self._on_error(error)
        else:
            logger.warning("%s: %s", self.name, error)

    def _report_from_loop(self, error: BaseException) -> None:
        try:
            self._error(error)
        except Exception:
            logger.exception("%s: on_error callback raised; ignored", self.name)

    @property
    def connection_status(self) -> str:
        """The current state as a string (the seed's attribute)."""
        return self._handle.state.value if self._handle is not None else ConnectionState.DISCONNECTED.value

    @property
    def stream(self) -> HubStream[Any] | None:
        """The async stream underneath (once started)."""
        return self._stream

    def start(self, timeout: float | None = None) -> bool:
        """Connect and subscribe on a background loop; True once connected.

        False when the first connection fails (the reason goes to the error
        callback) or is not up within ``timeout`` seconds (it keeps trying).
        """
        if self._handle is not None and self._handle.running:
            return self._handle.connected
        self._loop = BackgroundLoop(name=f"specwire-{self.name}")
        self._handle = StreamHandle(
            self._open,
            on_event=self._dispatch,
            on_state_change=self._state,
            on_error=self._error,
            queue_size=self._queue_size,
            overflow=self._overflow,
            loop=self._loop,
            name=self.name,
        )
        self._handle.start(timeout=0)
        deadline = time.monotonic() + (self.start_timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            if self._handle.wait_connected(0.02):
                return True
            if self._handle.wait_finished(0):
                return False
        return self._handle.connected

    def stop(self) -> None:
        """Disconnect and stop the background loop and dispatcher. Idempotent."""
        handle, loop = self._handle, self._loop
        self._handle = None
        self._loop = None
        if handle is not None:
            handle.stop()
        if loop is not None:
            loop.stop()

    def update_token(self, token: str) -> None:
        """Reconnect now with ``token`` (not needed: renewed session tokens are used automatically)."""
        stream, loop = self._stream, self._loop
        if stream is None or loop is None:
            raise RuntimeError(f"{self.name} is not running; start() it first")
        stream.update_token(token)
        loop.submit(stream.reconnect("token updated")).result(timeout=10)

    def __enter__(self) -> Any:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class DataStream(_SyncStream):
    """Market data for one contract with callbacks (the seed's ``DataStream``).

    ``api_client`` is an ``APIClient``, ``ProjectX`` or ``AsyncProjectX`` (its
    token session and hub URL are used). Quotes are subscribed when
    ``on_quote_callback`` is given (or no callback at all), trades and depth
    when their callbacks are. Extra keyword arguments go to :class:`MarketStream`.
    """

    name = "market-data-stream"

    def __init__(
        self,
        api_client: Any,
        contract_id_to_subscribe: str,
        on_quote_callback: Callback = None,
        on_trade_callback: Callback = None,
        on_depth_callback: Callback = None,
        on_state_change_callback: Callback = None,
        on_error_callback: Callback = None,
        *,
        typed: bool = False,
        queue_size: int = 4096,
        overflow: Any = "block",
        start_timeout: float = 15.0,
        hub_url: str | None = None,
        **stream_options: Any,
    ) -> None:
        super().__init__(
            on_state_change_callback,
            on_error_callback,
            queue_size=queue_size,
            overflow=overflow,
            start_timeout=start_timeout,
        )
        self.contract_id = check_contract_ids((contract_id_to_subscribe,))[0]
        self.session = resolve_session(api_client)
        self.hub_url = hub_url or self.session.market_hub_url
        self.on_quote_callback = on_quote_callback
        self.on_trade_callback = on_trade_callback
        self.on_depth_callback = on_depth_callback
        self.typed = typed
        self._stream_options = stream_options

    async def _open(self, on_state: Callable[[StateChange], Any]) -> MarketStream:
        stream = MarketStream(
            self.hub_url,
            session=self.session,
            queue_size=self._queue_size,
            on_state_change=on_state,
            on_error=self._report_from_loop,
            **self._stream_options,
        )
        self._stream = stream
        await stream.start()
        try:
            if self.on_quote_callback is not None or (
                self.on_trade_callback is None and self.on_depth_callback is None
            ):
                await stream.subscribe_quotes(self.contract_id)
            if self.on_trade_callback is not None:
                await stream.subscribe_trades(self.contract_id)
            if self.on_depth_callback is not None:
                await stream.subscribe_depth(self.contract_id)
        except BaseException:
            await stream.stop()
            raise
        return stream

    def _dispatch(self, event: Any) -> None:
        typed = self.typed
        if isinstance(event, QuoteEvent):
            if self.on_quote_callback is not None:
                self.on_quote_callback(event if typed else _wire(event.quote, contractId=event.contract_id))
        elif isinstance(event, TradeEvent):
            if self.on_trade_callback is not None:
                self.on_trade_callback(event if typed else _wire(event.trade, contractId=event.contract_id))
        elif isinstance(event, DepthEvent):
            if self.on_depth_callback is not None:
                self.on_depth_callback(
                    event if typed else [_wire(e, contractId=event.contract_id) for e in event.entries]
                )
        elif isinstance(event, LogoutEvent):
            self._error_from_logout(event)

    def _error_from_logout(self, event: LogoutEvent) -> None:
        self._error(StreamError(f"GatewayLogout received: the session ended ({event.arguments!r})"))


class UserHubStream(_SyncStream):
    """Account, order, position and fill updates with callbacks (the seed's ``UserHubStream``).

    Subscribes accounts plus orders, positions and trades of ``account_id_to_watch``.
    After a reconnect, missed updates are fetched through ``api_client``'s REST
    calls and delivered (see :class:`UserStream`). Extra keyword arguments go to
    :class:`UserStream`.
    """

    name = "user-hub-stream"

    def __init__(
        self,
        api_client: Any,
        account_id_to_watch: int,
        on_order_update: Callback = None,
        on_account_update: Callback = None,
        on_position_update: Callback = None,
        on_user_trade_update: Callback = None,
        on_state_change_callback: Callback = None,
        on_error_callback: Callback = None,
        *,
        typed: bool = False,
        reconcile: bool = True,
        queue_size: int = 4096,
        overflow: Any = "block",
        start_timeout: float = 15.0,
        hub_url: str | None = None,
        **stream_options: Any,
    ) -> None:
        super().__init__(
            on_state_change_callback,
            on_error_callback,
            queue_size=queue_size,
            overflow=overflow,
            start_timeout=start_timeout,
        )
        self.account_id = check_account_id(account_id_to_watch)
        self.session = resolve_session(api_client)
        self.hub_url = hub_url or self.session.user_hub_url
        self._rest = api_client if reconcile else None
        self.on_order_update = on_order_update
        self.on_account_update = on_account_update
        self.on_position_update = on_position_update
        self.on_user_trade_update = on_user_trade_update
        self.typed = typed
        self._stream_options = stream_options

    async def _open(self, on_state: Callable[[StateChange], Any]) -> UserStream:
        stream = UserStream(
            self.hub_url,
            session=self.session,
            rest=self._rest,
            queue_size=self._queue_size,
            on_state_change=on_state,
            on_error=self._report_from_loop,
            **self._stream_options,
        )
        self._stream = stream
        await stream.start()
        try:
            await stream.subscribe_account(self.account_id)
        except BaseException:
            await stream.stop()
            raise
        return stream

    def _dispatch(self, event: Any) -> None:
        typed = self.typed
        payload: msgspec.Struct
        if isinstance(event, OrderEvent):
            callback, payload = self.on_order_update, event.order
        elif isinstance(event, AccountEvent):
            callback, payload = self.on_account_update, event.account
        elif isinstance(event, PositionEvent):
            callback, payload = self.on_position_update, event.position
        elif isinstance(event, UserTradeEvent):
            callback, payload = self.on_user_trade_update, event.trade
        else:
            self._error(StreamError(f"GatewayLogout received: the session ended ({event.arguments!r})"))
            return
        if callback is not None:
            callback(event if typed else _wire(payload))
