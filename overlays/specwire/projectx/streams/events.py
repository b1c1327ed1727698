"""The typed events a ProjectX realtime stream yields, one per fact, whatever the wire form.

The payloads are the generated msgspec models of ``specs/projectx/asyncapi.yaml``
(``specwire_gen.projectx.stream_models``); these small envelopes add what the
wire form carried beside the payload (contract id, account id, ``action``) and
whether the event came from the hub or from the REST reconciliation after a
reconnect (``replayed``). Each has a ``kind`` string for ``match`` statements.
"""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
from specwire_gen.projectx.stream_models import (
    GatewayDepthEntry,
    GatewayQuote,
    GatewayTradePrint,
    GatewayUserAccount,
    GatewayUserOrder,
    GatewayUserPosition,
    GatewayUserTrade,
)

__all__ = [
    "AccountEvent",
    "DepthEvent",
    "LogoutEvent",
    "MarketEvent",
    "OrderEvent",
    "PositionEvent",
    "QuoteEvent",
    "TradeEvent",
    "UserEvent",
    "UserTradeEvent",
]


class QuoteEvent(msgspec.Struct, frozen=True, gc=False):
    """``GatewayQuote``: a (possibly partial) quote; absent fields are ``UNSET`` = unchanged."""

    contract_id: str
    quote: GatewayQuote
    kind: ClassVar[str] = "quote"


class TradeEvent(msgspec.Struct, frozen=True, gc=False):
    """One market trade print of a ``GatewayTrade`` batch."""

    contract_id: str
    trade: GatewayTradePrint
    kind: ClassVar[str] = "trade"


class DepthEvent(msgspec.Struct, frozen=True, gc=False):
    """``GatewayDepth``: the entries of one update, in wire order (apply them with :class:`OrderBook`)."""

    contract_id: str
    entries: list[GatewayDepthEntry]
    kind: ClassVar[str] = "depth"


class AccountEvent(msgspec.Struct, frozen=True, gc=False):
    account: GatewayUserAccount
    action: int | None = None
    replayed: bool = False
    kind: ClassVar[str] = "account"


class OrderEvent(msgspec.Struct, frozen=True, gc=False):
    order: GatewayUserOrder
    action: int | None = None
    replayed: bool = False
    kind: ClassVar[str] = "order"


class PositionEvent(msgspec.Struct, frozen=True, gc=False):
    """``size`` 0 means closed (a closure found by reconciliation is reported that way too)."""

    position: GatewayUserPosition
    action: int | None = None
    replayed: bool = False
    kind: ClassVar[str] = "position"


class UserTradeEvent(msgspec.Struct, frozen=True, gc=False):
    trade: GatewayUserTrade
    action: int | None = None
    replayed: bool = False
    kind: ClassVar[str] = "user_trade"


class LogoutEvent(msgspec.Struct, frozen=True, gc=False):
    """Undocumented ``GatewayLogout``: the session ended; its arguments are passed through as decoded JSON."""

    arguments: list[Any]
    kind: ClassVar[str] = "logout"


MarketEvent = QuoteEvent | TradeEvent | DepthEvent | LogoutEvent
UserEvent = AccountEvent | OrderEvent | PositionEvent | UserTradeEvent | LogoutEvent
