"""OrderBook: GatewayDepth entries applied into a current book."""

from __future__ import annotations

import msgspec
from specwire.projectx.streams import DepthEvent, OrderBook
from specwire_gen.projectx.stream_models import GatewayDepthEntry

from tests.streams.projectx.conftest import EP, MNQ


def entries(*rows: tuple[int, float, float]) -> list[GatewayDepthEntry]:
    return [msgspec.convert({"type": t, "price": p, "volume": v}, GatewayDepthEntry) for t, p, v in rows]


def test_reset_levels_best_and_removal() -> None:
    book = OrderBook(EP)
    book.apply(DepthEvent(EP, entries((2, 100.0, 5), (2, 99.75, 7), (1, 100.5, 3), (1, 100.75, 9))))
    assert book.best_bid == (100.0, 5) and book.best_ask == (100.5, 3)
    assert book.spread == 0.5 and book.mid == 100.25
    book.apply(entries((2, 100.0, 8)))  # a level update replaces the size, never adds
    assert book.best_bid == (100.0, 8)
    book.apply(entries((1, 100.5, 0)))  # size 0 removes the level
    assert book.best_ask == (100.75, 9)
    book.apply(entries((9, 99.75, 4)))  # NewBestBid: the bids above it are gone
    assert book.bid_levels() == [(99.75, 4)]
    book.apply(entries((3, 101.0, 2)))  # BestAsk: the asks below it are gone
    assert book.ask_levels() == [(101.0, 2)]
    book.apply(entries((6, 0, 0)))  # Reset
    assert book.best_bid is None and book.best_ask is None and book.spread is None


def test_trades_session_extremes_and_unknown_types() -> None:
    book = OrderBook(EP, max_trades=2)
    book.apply(
        entries((5, 100.0, 1), (11, 100.25, 2), (5, 100.5, 3), (8, 101.0, 0), (7, 98.0, 0), (42, 1.0, 1))
    )
    assert [t.price for t in book.trades] == [100.25, 100.5]
    assert book.last_trade is not None and book.last_trade.price == 100.5
    assert (book.session_high, book.session_low) == (101.0, 98.0)
    assert book.ignored == 1 and book.bids == {} and book.asks == {}


def test_current_volume_used_when_volume_missing_and_other_contracts_ignored() -> None:
    book = OrderBook(EP)
    book.apply([msgspec.convert({"type": 2, "price": 10.0, "currentVolume": 6}, GatewayDepthEntry)])
    assert book.best_bid == (10.0, 6)
    book.apply(DepthEvent(MNQ, entries((6, 0, 0))))
    assert book.best_bid == (10.0, 6)
    assert book.snapshot()["bids"] == [(10.0, 6)]
