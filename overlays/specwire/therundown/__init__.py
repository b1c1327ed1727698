"""TheRundown v2 sports odds: typed REST client, delta feeds, and a gap-free WebSocket price stream.

Start here::

    from specwire.therundown import TheRundown

    with TheRundown() as rundown:                      # THERUNDOWN_API_KEY, or api_key=...
        events = rundown.events("NBA", "2026-02-12", market_ids=["moneyline", "spread"],
                                affiliate_ids=["DraftKings", "FanDuel"], main_line=True)
        frame = to_dataframe(events)                   # one row per price

:class:`AsyncTheRundown` has the same methods as coroutines plus ``stream()``, the WebSocket market stream
that catches up through the delta feed after every reconnect.
"""

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports
from specwire.therundown.async_client import AsyncTheRundown
from specwire.therundown.client import TheRundown
from specwire.therundown.delta import DeltaUnavailableError, EventDeltaFeed, MarketDeltaFeed
from specwire.therundown.errors import (
    RateLimitKind,
    TheRundownAPIStatusError,
    TheRundownAuthenticationError,
    TheRundownBadRequestError,
    TheRundownConnectionError,
    TheRundownError,
    TheRundownNotFoundError,
    TheRundownPermissionDeniedError,
    TheRundownRateLimitError,
    TheRundownServerError,
    TheRundownTimeoutError,
)
from specwire.therundown.flatten import PriceRow, iter_price_rows, to_dataframe, to_rows
from specwire.therundown.ids import MARKETS, MAX_MARKET_IDS, SCORES_ONLY, SPORTS, SPORTSBOOKS
from specwire.therundown.odds import (
    OFF_BOARD,
    OffBoard,
    american_to_decimal,
    american_to_probability,
    decimal_to_american,
    decimal_to_probability,
    format_american,
    is_off_board,
    parse_price,
    probability_to_american,
    probability_to_decimal,
)
from specwire.therundown.transport import TIER_REQUESTS_PER_SECOND
from specwire.therundown.usage import Usage, UsageTracker

if TYPE_CHECKING:  # the stream stack (websockets, msgspec stream models) loads on first use
    from specwire.therundown.streams import MarketStream, StreamResync

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(globals(), {"specwire.therundown.streams": ("MarketStream", "StreamResync")})

__all__ = [
    "MARKETS",
    "MAX_MARKET_IDS",
    "OFF_BOARD",
    "SCORES_ONLY",
    "SPORTS",
    "SPORTSBOOKS",
    "TIER_REQUESTS_PER_SECOND",
    "AsyncTheRundown",
    "DeltaUnavailableError",
    "EventDeltaFeed",
    "MarketDeltaFeed",
    "MarketStream",
    "OffBoard",
    "PriceRow",
    "RateLimitKind",
    "StreamResync",
    "TheRundown",
    "TheRundownAPIStatusError",
    "TheRundownAuthenticationError",
    "TheRundownBadRequestError",
    "TheRundownConnectionError",
    "TheRundownError",
    "TheRundownNotFoundError",
    "TheRundownPermissionDeniedError",
    "TheRundownRateLimitError",
    "TheRundownServerError",
    "TheRundownTimeoutError",
    "Usage",
    "UsageTracker",
    "american_to_decimal",
    "american_to_probability",
    "decimal_to_american",
    "decimal_to_probability",
    "format_american",
    "is_off_board",
    "iter_price_rows",
    "parse_price",
    "probability_to_american",
    "probability_to_decimal",
    "to_dataframe",
    "to_rows",
]
