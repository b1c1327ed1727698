"""``UserStream``: accounts, orders, positions and fills, complete across reconnects.

::

    async with px.user_stream() as stream:
        await stream.subscribe_accounts()
        await stream.subscribe_orders(acct)
        await stream.subscribe_positions(acct)
        await stream.subscribe_trades(acct)
        async for event in stream:
            ...  # AccountEvent | OrderEvent | PositionEvent | UserTradeEvent | LogoutEvent

Hub events sent while the socket was down are lost for good (the hub does not
replay them, reference §6.4). So after every reconnect, once the subscriptions
are restored, the stream asks REST for the open orders, the open positions and
the trades since the hub was last heard from (the last frame before the drop, minus
``reconcile_slack`` seconds: a dead socket is noticed only after ``server_timeout`` of
silence, and the events of that silence are missed too) and emits
what the consumer has not seen, marked ``replayed=True``:

* an order or position whose state differs from the last one delivered;
* an order placed and finished (filled, cancelled, rejected) while away;
* a position that was open and is gone, as a position with ``size`` 0 (closed);
* a trade whose id was never delivered.

De-duplication also applies to live events: a hub update identical to the last
delivered state of the same order/position/account, or a trade id already
delivered, is not emitted twice. Anything that arrives live after the
reconnect wins over the REST snapshot (it is newer or equal).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
from specwire_gen.projectx.stream_models import (
    GatewayUserOrder,
    GatewayUserPosition,
    GatewayUserTrade,
)

from specwire.core.errors import ConfigurationError, StreamError
from specwire.projectx.streams import decode
from specwire.projectx.streams._hub import HubStream, check_account_id
from specwire.projectx.streams.events import (
    AccountEvent,
    OrderEvent,
    PositionEvent,
    UserEvent,
    UserTradeEvent,
)
from specwire.streaming.state import ConnectionState, StateChange

__all__ = ["RestSnapshot", "UserStream", "UserView"]

logger = logging.getLogger("specwire.projectx.streams")

_MAX_TRADE_IDS = 200_000


def _to_model(obj: Any, model: type[Any]) -> Any:
    """A REST result (generated attrs model, dict or msgspec Struct) as the hub's msgspec model."""
    if isinstance(obj, model):
        return obj
    if isinstance(obj, msgspec.Struct):
        obj = msgspec.to_builtins(obj)
    elif hasattr(obj, "to_dict"):
        obj = obj.to_dict()
    return msgspec.convert(obj, model, strict=False)


class RestSnapshot:
    """What reconciliation reads through REST, from any ProjectX facade (sync calls run in a thread).

    ``client`` is a ``ProjectX``, ``AsyncProjectX`` or ``APIClient``; it must offer
    ``orders.search_open(account_id)``, ``positions.search_open(account_id)`` and
    ``trades.search(account_id, start)``.
    """

    def __init__(self, client: Any) -> None:
        px = getattr(client, "px", client)
        self.open_orders_call = px.orders.search_open
        self.open_positions_call = px.positions.search_open
        self.trades_call = px.trades.search
        self.orders_call = getattr(px.orders, "search", None)

    @staticmethod
    async def _call(fn: Callable[..., Any], *args: Any) -> Any:
        if inspect.iscoroutinefunction(fn):
            return await fn(*args)
        result = await asyncio.to_thread(fn, *args)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def open_orders(self, account_id: int) -> list[GatewayUserOrder]:
        return [
            _to_model(o, GatewayUserOrder) for o in await self._call(self.open_orders_call, account_id) or []
        ]

    async def open_positions(self, account_id: int) -> list[GatewayUserPosition]:
        rows = await self._call(self.open_positions_call, account_id) or []
        return [_to_model(p, GatewayUserPosition) for p in rows]

    async def orders_since(self, account_id: int, since: dt.datetime) -> list[GatewayUserOrder]:
        if self.orders_call is None:
            return []
        return [
            _to_model(o, GatewayUserOrder)
            for o in await self._call(self.orders_call, account_id, since) or []
        ]

    async def trades_since(self, account_id: int, since: dt.datetime) -> list[GatewayUserTrade]:
        return [
            _to_model(t, GatewayUserTrade)
            for t in await self._call(self.trades_call, account_id, since) or []
        ]


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _order_key(order: GatewayUserOrder) -> tuple[Any, ...]:
    return (
        order.status,
        order.size,
        order.fill_volume,
        order.filled_price,
        order.limit_price,
        order.stop_price,
    )


def _position_key(position: GatewayUserPosition) -> tuple[Any, ...]:
    return (position.size, position.average_price, position.type)


class UserView:
    """What the consumer has been given: the de-duplication memory of a user stream."""

    def __init__(self) -> None:
        self.orders: dict[int, GatewayUserOrder] = {}
        self.positions: dict[tuple[int, str], GatewayUserPosition] = {}
        self.accounts: dict[int, Any] = {}
        self.trade_ids: OrderedDict[int, None] = OrderedDict()
        self.live_since_connect: set[tuple[str, Any]] = set()

    def admit(self, event: Any) -> bool:
        """True when ``event`` tells the consumer something new (and remember it)."""
        if isinstance(event, OrderEvent):
            order = event.order
            known = self.orders.get(order.id)
            if not event.replayed:
                self.live_since_connect.add(("order", order.id))
            if known is not None and (
                known == order or (event.replayed and _order_key(known) == _order_key(order))
            ):
                return False
            self.orders[order.id] = order
            return True
        if isinstance(event, PositionEvent):
            pos = event.position
            key = (pos.account_id, pos.contract_id)
            if not event.replayed:
                self.live_since_connect.add(("position", key))
            known_pos = self.positions.get(key)
            if known_pos is not None and known_pos == pos:
                return False
            if event.replayed and known_pos is not None and _position_key(known_pos) == _position_key(pos):
                return False
            self.positions[key] = pos
            return True
        if isinstance(event, UserTradeEvent):
            trade_id = event.trade.id
            if trade_id in self.trade_ids:
                return False
            self.trade_ids[trade_id] = None
            if len(self.trade_ids) > _MAX_TRADE_IDS:
                self.trade_ids.popitem(last=False)
            return True
        if isinstance(event, AccountEvent):
            account = event.account
            if self.accounts.get(account.id) == account:
                return False
            self.accounts[account.id] = account
            return True
        return True


_WORKING = {1, 6, 7, 8}  # Open, Pending, PendingCancellation, Suspended


class UserStream(HubStream[UserEvent]):
    """The user hub (``/hubs/user``) as an async iterator of typed, de-duplicated events.

    Arguments as :class:`MarketStream`, plus ``rest`` (a :class:`RestSnapshot`, or
    a ProjectX facade to build one from; ``None`` disables reconciliation) and
    ``reconcile_slack`` (seconds subtracted from the time of the last frame before a
    drop when asking for trades, to cover clock skew and in-flight events); ``clock`` returns the
    current UTC time (tests pin it).
    """

    hub_name = "user"

    def __init__(
        self,
        url: str,
        *,
        rest: Any = None,
        reconcile_slack: float = 5.0,
        clock: Callable[[], dt.datetime] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(url, **options)
        if (
            isinstance(reconcile_slack, bool)
            or not isinstance(reconcile_slack, int | float)
            or reconcile_slack < 0
        ):
            raise ConfigurationError(
                f"reconcile_slack must be a number of seconds >= 0, got {reconcile_slack!r}"
            )
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.rest: RestSnapshot | None = (
            rest if isinstance(rest, RestSnapshot) or rest is None else RestSnapshot(rest)
        )
        self.reconcile_slack = float(reconcile_slack)
        self.view = UserView()
        self.reconciliations = 0
        self._disconnected_at: dt.datetime | None = None
        self._decoder = decode.UserDecoder()
        for target in ("GatewayUserAccount", "GatewayUserOrder", "GatewayUserPosition", "GatewayUserTrade"):
            self.connection.on(target, self._handler(target), raw=True)
        self.connection.on("GatewayLogout", lambda args: self._buffer.push(decode.logout(args)), raw=True)
        self.connection.add_state_listener(self._track_disconnect)
        self.connection.add_connect_hook(self._after_connect)

    def _handler(self, target: str) -> Callable[[list[msgspec.Raw]], Any]:
        decode_target = self._decoder.by_target[target].decode
        admit = self.view.admit
        push = self._buffer.push

        def handle(args: list[msgspec.Raw]) -> Any:
            events = [e for e in decode_target(args) if admit(e)]
            return push(events) if events else None

        return handle

    # ------------------------------------------------------------------ subscriptions

    async def subscribe_accounts(self) -> None:
        """Account updates of every account of the user (``SubscribeAccounts`` takes no argument)."""
        await self.connection.subscribe("SubscribeAccounts", confirm=self.confirm_subscriptions)

    async def unsubscribe_accounts(self) -> None:
        await self.connection.unsubscribe(
            "SubscribeAccounts", via="UnsubscribeAccounts", confirm=self.confirm_subscriptions
        )

    async def _sub(self, method: str, account_id: Any) -> None:
        await self.connection.subscribe(
            method, check_account_id(account_id), confirm=self.confirm_subscriptions
        )

    async def _unsub(self, method: str, account_id: Any) -> None:
        await self.connection.unsubscribe(
            method,
            check_account_id(account_id),
            via="Un" + method[0].lower() + method[1:],
            confirm=self.confirm_subscriptions,
        )

    async def subscribe_orders(self, account_id: int) -> None:
        await self._sub("SubscribeOrders", account_id)

    async def subscribe_positions(self, account_id: int) -> None:
        await self._sub("SubscribePositions", account_id)

    async def subscribe_trades(self, account_id: int) -> None:
        await self._sub("SubscribeTrades", account_id)

    async def unsubscribe_orders(self, account_id: int) -> None:
        await self._unsub("SubscribeOrders", account_id)

    async def unsubscribe_positions(self, account_id: int) -> None:
        await self._unsub("SubscribePositions", account_id)

    async def unsubscribe_trades(self, account_id: int) -> None:
        await self._unsub("SubscribeTrades", account_id)

    async def subscribe_account(self, account_id: int) -> None:
        """Accounts, plus orders, positions and trades of ``account_id``: the usual set."""
        await self.subscribe_accounts()
        await self.subscribe_orders(account_id)
        await self.subscribe_positions(account_id)
        await self.subscribe_trades(account_id)

    def _accounts_for(self, method: str) -> list[int]:
        return [int(args[0]) for m, args in self.connection.subscriptions if m == method and args]

    # ------------------------------------------------------------------ reconciliation

    def _track_disconnect(self, change: StateChange) -> None:
        if change.old is ConnectionState.CONNECTED and change.new is not ConnectionState.CONNECTED:
            self._disconnected_at = self._last_heard()
        elif change.new is ConnectionState.CONNECTED:
            self.view.live_since_connect.clear()

    def _last_heard(self) -> dt.datetime:
        """When the hub was last heard from: the start of the gap whose events were lost.

        A dead socket is noticed only after ``server_timeout`` of silence (or later, for a
        half-open TCP connection), so the time of the drop itself is too late: the events of
        that silence were lost too. The time of the last frame is read from the wall clock and
        never put after ``clock()`` (tests pin ``clock`` to a fixed past instant).
        """
        now = self._clock()
        silence = self.connection.seconds_since_last_frame()
        if silence is None:
            return now
        heard = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=silence)
        return min(now, heard)

    async def _after_connect(self, is_reconnect: bool) -> None:
        if not is_reconnect or self.rest is None or self._disconnected_at is None:
            return
        since = self._disconnected_at - dt.timedelta(seconds=self.reconcile_slack)
        await self.reconcile(since)

    async def reconcile(self, since: dt.datetime) -> int:
        """Fetch open orders, open positions and trades since ``since`` and emit what was missed.

        Returns how many events were emitted. Called after every reconnect; callable by hand.
        """
        rest = self.rest
        if rest is None:
            raise StreamError("reconciliation needs a REST client: pass rest= (a ProjectX facade)")
        emitted: list[UserEvent] = []
        live = self.view.live_since_connect
        for account_id in self._accounts_for("SubscribeOrders"):
            open_orders = await rest.open_orders(account_id)
            open_ids = {o.id for o in open_orders}
            for order in open_orders:
                if ("order", order.id) not in live:
                    emitted.extend(self._admit([OrderEvent(order, replayed=True)]))
            missing = [
                o
                for o in self.view.orders.values()
                if o.account_id == account_id
                and int(o.status) in _WORKING
                and o.id not in open_ids
                and ("order", o.id) not in live
            ]
            # Read the final state of orders that were working and are no longer open (filled,
            # cancelled or rejected while we were away), and find orders placed *and* finished
            # while we were away: they are in neither the open orders nor the consumer's view.
            created = [t for t in (_parse_time(o.creation_timestamp) for o in missing) if t is not None]
            start = min([*created, since])
            missing_ids = {o.id for o in missing}
            for order in await rest.orders_since(account_id, start - dt.timedelta(seconds=1)):
                if order.id in open_ids or ("order", order.id) in live:
                    continue
                placed = _parse_time(order.creation_timestamp)
                new_while_away = order.id not in self.view.orders and placed is not None and placed >= since
                if order.id in missing_ids or new_while_away:
                    emitted.extend(self._admit([OrderEvent(order, replayed=True)]))
        for account_id in self._accounts_for("SubscribePositions"):
            open_positions = await rest.open_positions(account_id)
            seen_keys = set()
            for pos in open_positions:
                key = (pos.account_id, pos.contract_id)
                seen_keys.add(key)
                if ("position", key) not in live:
                    emitted.extend(self._admit([PositionEvent(pos, replayed=True)]))
            for key, known in list(self.view.positions.items()):
                if (
                    key[0] == account_id
                    and known.size
                    and key not in seen_keys
                    and ("position", key) not in live
                ):
                    closed = msgspec.structs.replace(known, size=0)
                    emitted.extend(self._admit([PositionEvent(closed, replayed=True)]))
        for account_id in self._accounts_for("SubscribeTrades"):
            trades = await rest.trades_since(account_id, since)
            for trade in sorted(trades, key=lambda t: t.id):
                emitted.extend(self._admit([UserTradeEvent(trade, replayed=True)]))
        self.reconciliations += 1
        if emitted:
            logger.info(
                "user stream: reconciliation after reconnect emitted %d missed event(s)", len(emitted)
            )
            waiting = self._buffer.push(emitted)
            if waiting is not None:
                await waiting
        return len(emitted)

    def _admit(self, events: Iterable[UserEvent]) -> list[UserEvent]:
        return [e for e in events if self.view.admit(e)]
