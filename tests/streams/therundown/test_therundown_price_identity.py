"""A price change seen live and again in the delta feed is one change, however its timestamp is spelled."""

from __future__ import annotations

import msgspec
from specwire.therundown.streams import price_key
from specwire_gen.therundown.stream_models import MarketPrice


def _price(updated_at: str) -> MarketPrice:
    raw = {
        "event_id": "e1",
        "market_id": 1,
        "affiliate_id": 19,
        "price": "-110",
        "line": "-3.5",
        "normalized_market_participant_id": 7,
        "updated_at": updated_at,
    }
    return msgspec.convert(raw, MarketPrice)


def test_same_instant_in_different_spellings_is_the_same_change() -> None:
    spellings = ["2026-02-12T01:02:03Z", "2026-02-12T01:02:03+00:00", "2026-02-12T01:02:03+0000"]
    assert len({price_key(_price(s)) for s in spellings}) == 1


def test_a_later_update_of_the_same_line_is_a_new_change() -> None:
    assert price_key(_price("2026-02-12T01:02:03Z")) != price_key(_price("2026-02-12T01:02:04Z"))


def test_an_unparseable_timestamp_is_compared_as_sent() -> None:
    assert price_key(_price("yesterday")) == price_key(_price("yesterday"))
    assert price_key(_price("yesterday")) != price_key(_price("today"))
