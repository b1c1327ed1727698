"""ProjectX streams: the market and user SignalR hubs, typed, and kept connected.

* :class:`MarketStream` / :class:`UserStream` — async: ``async with px.market_stream() as s``,
  ``await s.subscribe_quotes(...)``, ``async for event in s``;
* :class:`DataStream` / :class:`UserHubStream` — the seed library's callback classes for sync code;
* :class:`OrderBook` — the current book from ``GatewayDepth`` events;
* the typed events of :mod:`specwire.projectx.streams.events`.

Built on the provider-agnostic :class:`specwire.streaming.signalr.HubConnection`; logs go to
``specwire.projectx.streams``.
"""

from __future__ import annotations

from typing import Any

from specwire.projectx.streams._hub import SessionTokenSource, resolve_session
from specwire.projectx.streams.book import BookLevel, OrderBook
from specwire.projectx.streams.events import (
    AccountEvent,
    DepthEvent,
    LogoutEvent,
    MarketEvent,
    OrderEvent,
    PositionEvent,
    QuoteEvent,
    TradeEvent,
    UserEvent,
    UserTradeEvent,
)
from specwire.projectx.streams.market import MarketStream
from specwire.projectx.streams.sync import DataStream, UserHubStream
from specwire.projectx.streams.user import RestSnapshot, UserStream, UserView

__all__ = [
    "AccountEvent",
    "BookLevel",
    "DataStream",
    "DepthEvent",
    "LogoutEvent",
    "MarketEvent",
    "MarketStream",
    "OrderBook",
    "OrderEvent",
    "PositionEvent",
    "QuoteEvent",
    "RestSnapshot",
    "SessionTokenSource",
    "TradeEvent",
    "UserEvent",
    "UserHubStream",
    "UserStream",
    "UserTradeEvent",
    "UserView",
    "market_stream",
    "user_stream",
]


def market_stream(client: Any, **options: Any) -> MarketStream:
    """A :class:`MarketStream` on ``client``'s market hub, authenticated by its token session.

    ``client`` is a ``ProjectX``, ``AsyncProjectX`` or ``APIClient``; ``url=`` overrides the hub URL.
    """
    session = resolve_session(client)
    url = options.pop("url", None) or session.market_hub_url
    return MarketStream(url, session=session, **options)


def user_stream(client: Any, *, reconcile: bool = True, **options: Any) -> UserStream:
    """A :class:`UserStream` on ``client``'s user hub; after reconnects it reconciles through ``client``'s REST."""
    session = resolve_session(client)
    url = options.pop("url", None) or session.user_hub_url
    options.setdefault("rest", client if reconcile else None)
    return UserStream(url, session=session, **options)
