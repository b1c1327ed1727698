"""``OrderBook``: the current book of one contract, built from ``GatewayDepth`` entries.

Rules (DomType values from reference §4; semantics as PXPY applies them, the
Gateway docs leave them open — §6.3, §9 item 12):

* ``Reset`` (6) empties both sides;
* ``Bid`` (2) / ``Ask`` (1) set the size at a price level; size 0 removes it;
* ``BestBid`` (4) / ``NewBestBid`` (9) set the level and make it the best bid:
  bid levels above it are stale and removed (likewise ``BestAsk`` (3) /
  ``NewBestAsk`` (10) remove asks below it);
* ``Trade`` (5) and ``Fill`` (11) are prints, kept in ``trades`` (newest last);
* ``Low`` (7) / ``High`` (8) are the session low/high;
* unknown types are counted in ``ignored`` and change nothing.

The size of a level is the entry's ``volume`` (total at the level); when it is
missing, ``currentVolume``. Updates replace a level, never add to it (PXPY PR 10).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from typing import Any, NamedTuple

from msgspec import UNSET
from specwire_gen.projectx.stream_models import DomType, GatewayDepthEntry

from specwire.projectx.streams.events import DepthEvent

__all__ = ["BookLevel", "OrderBook"]


class BookLevel(NamedTuple):
    price: float
    size: float


def _size(entry: GatewayDepthEntry) -> float:
    volume = entry.volume
    if volume is UNSET or volume is None:
        current = entry.current_volume
        return 0.0 if current is UNSET or current is None else float(current)  # type: ignore[arg-type]
    return float(volume)  # type: ignore[arg-type]


class OrderBook:
    """Apply :class:`DepthEvent` objects (or lists of entries) with :meth:`apply`; read the book."""

    def __init__(self, contract_id: str | None = None, *, max_trades: int = 1000) -> None:
        self.contract_id = contract_id
        self.bids: dict[float, float] = {}
        self.asks: dict[float, float] = {}
        self.trades: collections.deque[GatewayDepthEntry] = collections.deque(maxlen=max_trades)
        self.session_high: float | None = None
        self.session_low: float | None = None
        self.last_timestamp: str | None = None
        self.updates = 0
        self.ignored = 0

    def __repr__(self) -> str:
        return f"<OrderBook {self.contract_id or ''} bid={self.best_bid} ask={self.best_ask}>"

    def apply(self, update: DepthEvent | Iterable[GatewayDepthEntry]) -> None:
        """Apply one depth update (its entries in wire order).

        A :class:`DepthEvent` for another contract than ``contract_id`` is ignored.
        """
        if isinstance(update, DepthEvent):
            if self.contract_id is not None and update.contract_id and update.contract_id != self.contract_id:
                return
            entries: Iterable[GatewayDepthEntry] = update.entries
        else:
            entries = update
        for entry in entries:
            self._apply_entry(entry)
        self.updates += 1

    def _apply_entry(self, entry: GatewayDepthEntry) -> None:
        kind = entry.type
        price = float(entry.price)
        if isinstance(entry.timestamp, str):
            self.last_timestamp = entry.timestamp
        if kind == DomType.RESET:
            self.bids.clear()
            self.asks.clear()
        elif kind == DomType.BID:
            self._set(self.bids, price, _size(entry))
        elif kind == DomType.ASK:
            self._set(self.asks, price, _size(entry))
        elif kind in (DomType.BEST_BID, DomType.NEW_BEST_BID):
            for stale in [p for p in self.bids if p > price]:
                del self.bids[stale]
            self._set(self.bids, price, _size(entry))
        elif kind in (DomType.BEST_ASK, DomType.NEW_BEST_ASK):
            for stale in [p for p in self.asks if p < price]:
                del self.asks[stale]
            self._set(self.asks, price, _size(entry))
        elif kind in (DomType.TRADE, DomType.FILL):
            self.trades.append(entry)
        elif kind == DomType.HIGH:
            self.session_high = price
        elif kind == DomType.LOW:
            self.session_low = price
        else:
            self.ignored += 1

    @staticmethod
    def _set(side: dict[float, float], price: float, size: float) -> None:
        if size > 0:
            side[price] = size
        else:
            side.pop(price, None)

    # ------------------------------------------------------------------ reading

    @property
    def best_bid(self) -> BookLevel | None:
        if not self.bids:
            return None
        price = max(self.bids)
        return BookLevel(price, self.bids[price])

    @property
    def best_ask(self) -> BookLevel | None:
        if not self.asks:
            return None
        price = min(self.asks)
        return BookLevel(price, self.asks[price])

    @property
    def spread(self) -> float | None:
        bid, ask = self.best_bid, self.best_ask
        return None if bid is None or ask is None else ask.price - bid.price

    @property
    def mid(self) -> float | None:
        bid, ask = self.best_bid, self.best_ask
        return None if bid is None or ask is None else (bid.price + ask.price) / 2

    @property
    def last_trade(self) -> GatewayDepthEntry | None:
        return self.trades[-1] if self.trades else None

    def bid_levels(self, depth: int | None = None) -> list[BookLevel]:
        """Bid levels, best (highest) first."""
        levels = [BookLevel(p, self.bids[p]) for p in sorted(self.bids, reverse=True)]
        return levels if depth is None else levels[:depth]

    def ask_levels(self, depth: int | None = None) -> list[BookLevel]:
        """Ask levels, best (lowest) first."""
        levels = [BookLevel(p, self.asks[p]) for p in sorted(self.asks)]
        return levels if depth is None else levels[:depth]

    def snapshot(self, depth: int = 10) -> dict[str, Any]:
        """A plain dict of the top of the book (for printing or logging)."""
        return {
            "contract_id": self.contract_id,
            "bids": [tuple(level) for level in self.bid_levels(depth)],
            "asks": [tuple(level) for level in self.ask_levels(depth)],
            "best_bid": None if self.best_bid is None else tuple(self.best_bid),
            "best_ask": None if self.best_ask is None else tuple(self.best_ask),
            "last_trade": None if self.last_trade is None else self.last_trade.price,
            "session_high": self.session_high,
            "session_low": self.session_low,
        }
