"""``MarketStream``: quotes, trades and depth for many contracts on one market-hub connection.

::

    async with px.market_stream() as stream:
        await stream.subscribe_quotes("CON.F.US.EP.U25", "CON.F.US.MNQ.U26")
        await stream.subscribe_depth("CON.F.US.EP.U25")
        async for event in stream:
            match event:
                case QuoteEvent(contract_id=cid, quote=q): ...
                case TradeEvent(): ...
                case DepthEvent(): book.apply(event)

Every subscription is re-invoked after each reconnect. ``stale_after`` (seconds)
forces a reconnect when subscribed contracts deliver nothing for that long: the
Gateway's tick stream has been seen to freeze for minutes without a disconnect
(reference §6.4).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import msgspec
from specwire_gen.projectx.stream_models import GatewayDepthEntry, GatewayQuote, GatewayTradePrint

from specwire.core.errors import ConfigurationError, StreamError
from specwire.projectx.streams import decode
from specwire.projectx.streams._hub import HubStream, check_contract_ids
from specwire.projectx.streams.events import DepthEvent, MarketEvent, QuoteEvent, TradeEvent

__all__ = ["MarketStream"]

_SUBSCRIBE = {
    "quotes": ("SubscribeContractQuotes", "UnsubscribeContractQuotes"),
    "trades": ("SubscribeContractTrades", "UnsubscribeContractTrades"),
    "depth": ("SubscribeContractMarketDepth", "UnsubscribeContractMarketDepth"),
}


class MarketStream(HubStream[MarketEvent]):
    """The market hub (``/hubs/market``) as an async iterator of typed events.

    Arguments: ``url`` (the hub URL), ``session`` (a ProjectX token session) or
    ``token``; ``queue_size`` / ``overflow`` bound the events waiting for the
    consumer (``"block"`` pauses the socket reader, ``"drop_oldest"`` keeps the
    latest); ``confirm_subscriptions`` invokes Subscribe* and waits for the
    hub's answer (``False`` sends fire-and-forget, as most SDKs do);
    ``stale_after`` see the module doc; other keyword arguments go to
    :class:`~specwire.streaming.signalr.HubConnection` (keep-alive, timeouts, backoff).
    """

    hub_name = "market"

    def __init__(self, url: str, *, stale_after: float | None = None, **options: Any) -> None:
        super().__init__(url, **options)
        if stale_after is not None and stale_after <= 0:
            raise ConfigurationError(f"stale_after must be > 0 seconds or None, got {stale_after!r}")
        self.stale_after = stale_after
        self._decoder = decode.MarketDecoder()
        buffer = self._buffer
        quotes, trades, depth = self._decoder.quotes, self._decoder.trades, self._decoder.depth
        # Set to -1 by every market event; the watchdog reads and resets it.
        self._last_event = 0.0

        def on_quote(args: list[msgspec.Raw]) -> Any:
            self._last_event = -1.0
            return buffer.push(quotes(args))

        def on_trade(args: list[msgspec.Raw]) -> Any:
            self._last_event = -1.0
            return buffer.push(trades(args))

        def on_depth(args: list[msgspec.Raw]) -> Any:
            self._last_event = -1.0
            return buffer.push(depth(args))

        def on_logout(args: list[msgspec.Raw]) -> Any:
            return buffer.push(decode.logout(args))

        push_one = buffer.push_one

        # Fast path: the documented/observed forms decode in one pass from the frame.
        def typed_quote(args: tuple[str, Any]) -> Any:
            self._last_event = -1.0
            contract_id, data = args
            if type(data) is list:
                return buffer.push([QuoteEvent(contract_id, q) for q in data])
            return push_one(QuoteEvent(contract_id, data))

        def typed_trade(args: tuple[str, Any]) -> Any:
            self._last_event = -1.0
            contract_id, data = args
            if type(data) is list:
                return buffer.push([TradeEvent(contract_id, t) for t in data])
            return push_one(TradeEvent(contract_id, data))

        def typed_depth(args: tuple[str, Any]) -> Any:
            self._last_event = -1.0
            contract_id, data = args
            return push_one(DepthEvent(contract_id, data if type(data) is list else [data]))

        conn = self.connection
        conn.on_typed("GatewayQuote", tuple[str, GatewayQuote | list[GatewayQuote]], typed_quote)
        conn.on_typed("GatewayTrade", tuple[str, GatewayTradePrint | list[GatewayTradePrint]], typed_trade)
        conn.on_typed("GatewayDepth", tuple[str, GatewayDepthEntry | list[GatewayDepthEntry]], typed_depth)
        # Other forms (no contract id, other spellings) and malformed payloads take this path.
        conn.on("GatewayQuote", on_quote, raw=True)
        conn.on("GatewayTrade", on_trade, raw=True)
        conn.on("GatewayDepth", on_depth, raw=True)
        conn.on("GatewayLogout", on_logout, raw=True)
        self._watchdog: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ subscriptions

    async def _subscribe(self, kind: str, contract_ids: tuple[Any, ...]) -> None:
        method = _SUBSCRIBE[kind][0]
        for cid in check_contract_ids(contract_ids):
            await self.connection.subscribe(method, cid, confirm=self.confirm_subscriptions)

    async def _unsubscribe(self, kind: str, contract_ids: tuple[Any, ...]) -> None:
        method, via = _SUBSCRIBE[kind]
        for cid in check_contract_ids(contract_ids):
            await self.connection.unsubscribe(method, cid, via=via, confirm=self.confirm_subscriptions)

    async def subscribe_quotes(self, *contract_ids: str) -> None:
        await self._subscribe("quotes", contract_ids)

    async def subscribe_trades(self, *contract_ids: str) -> None:
        await self._subscribe("trades", contract_ids)

    async def subscribe_depth(self, *contract_ids: str) -> None:
        await self._subscribe("depth", contract_ids)

    async def unsubscribe_quotes(self, *contract_ids: str) -> None:
        await self._unsubscribe("quotes", contract_ids)

    async def unsubscribe_trades(self, *contract_ids: str) -> None:
        await self._unsubscribe("trades", contract_ids)

    async def unsubscribe_depth(self, *contract_ids: str) -> None:
        await self._unsubscribe("depth", contract_ids)

    @property
    def subscriptions(self) -> dict[str, list[str]]:
        """Active subscriptions: ``{"quotes": [...], "trades": [...], "depth": [...]}``."""
        by_method = {method: kind for kind, (method, _) in _SUBSCRIBE.items()}
        out: dict[str, list[str]] = {kind: [] for kind in _SUBSCRIBE}
        for method, args in self.connection.subscriptions:
            out[by_method[method]].append(args[0])
        return out

    # ------------------------------------------------------------------ stale-feed watchdog

    async def start(self) -> None:
        await super().start()
        if self.stale_after is not None and self._watchdog is None:
            self._watchdog = asyncio.create_task(
                self._watch_feed(self.stale_after), name="market-feed-watchdog"
            )

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        await super().stop()

    async def _watch_feed(self, limit: float) -> None:
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while True:
            await asyncio.sleep(limit / 4)
            now = loop.time()
            if self._last_event < 0:  # an event arrived since the last check
                self._last_event = 0.0
                quiet_since = now
                continue
            if not self.connection.subscriptions or not self.connected:
                quiet_since = now
                continue
            if now - quiet_since >= limit:
                self._on_error(StreamError(f"market feed stale: no event for {limit:g}s; reconnecting"))
                await self.connection.reconnect(f"feed stale for {limit:g}s")
                quiet_since = now
