"""The names of the docs' Python guide (``seeds/003``), backed by the SDK, so guide code ports by import.

The guide configures ``API_KEY``/``BASE_URL``/``WS_URL``/``HEADERS``, calls ``api_get(path, params,
max_retries)`` for REST and runs ``stream_odds`` / ``stream_with_reconnect`` for the WebSocket. Here:

* :func:`api_get` sends through a :class:`~specwire.therundown.client.TheRundown` client (key header,
  client-side limiter, burst-429 retries honouring ``Retry-After``), returns the decoded JSON like the guide,
  but raises the typed errors instead of a bare ``Exception`` — and a spent data-point quota is raised at
  once rather than retried.
* :func:`stream_odds` and :func:`stream_with_reconnect` are async iterators of typed
  :class:`~specwire_gen.therundown.stream_models.MarketPrice` updates (heartbeats skipped). Both reconnect
  (1 s doubling to 30 s plus jitter, as the guide does) and, given one sport, catch up missed changes
  through the delta feed; the guide's version prints instead of yielding.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

from specwire.core.errors import ConfigurationError
from specwire.therundown.async_client import AsyncTheRundown
from specwire.therundown.auth import KEY_HEADER
from specwire.therundown.client import TheRundown
from specwire.therundown.models import MarketPrice
from specwire.therundown.transport import DEFAULT_WS_URL

__all__ = ["API_KEY", "BASE_URL", "HEADERS", "WS_URL", "api_get", "stream_odds", "stream_with_reconnect"]

API_KEY = os.environ.get("THERUNDOWN_API_KEY", "")
BASE_URL = "https://therundown.io/api/v2"
WS_URL = DEFAULT_WS_URL
#: The guide's header dict; the SDK sets the header itself, so this is only for code that reads it.
HEADERS = {KEY_HEADER: "***"} if API_KEY else {}

_shared: TheRundown | None = None


def _default_client() -> TheRundown:
    global _shared
    if _shared is None:
        _shared = TheRundown()
    return _shared


def api_get(
    path: str,
    params: Mapping[str, Any] | None = None,
    max_retries: int = 3,
    *,
    client: TheRundown | None = None,
) -> Any:
    """``GET {BASE_URL}{path}`` and return the decoded JSON (``/sports``, ``/sports/4/events/2026-02-12``)."""
    if not isinstance(path, str) or not path.startswith("/") or "://" in path or ".." in path:
        raise ConfigurationError(f"path must be an API path under {BASE_URL} such as '/sports', got {path!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 1:
        raise ConfigurationError(f"max_retries must be an int >= 1, got {max_retries!r}")
    from specwire.core.options import request_options

    rundown = client or _default_client()
    query = {
        k: ",".join(map(str, v)) if isinstance(v, list | tuple) else str(v) for k, v in (params or {}).items()
    }
    with request_options(max_retries=max_retries - 1):
        response = rundown._http.get(f"/api/v2{path}", params=query)
    return response.json()


async def stream_odds(
    sport_ids: str = "4", market_ids: str = "1,2,3", *, client: AsyncTheRundown | None = None
) -> AsyncIterator[MarketPrice]:
    """Price updates for the guide's default filters (NBA moneyline, spread, total)."""
    rundown = client or AsyncTheRundown()
    sports = [s for s in sport_ids.split(",") if s]
    stream = rundown.stream(
        sport_ids=sports, market_ids=market_ids.split(","), catch_up=len(sports) == 1 and rundown.has_key
    )
    try:
        async for item in stream:
            if isinstance(item, MarketPrice):
                yield item
    finally:
        if client is None:
            await rundown.aclose()


#: The guide's reconnecting variant; every SDK stream reconnects, so it is the same iterator.
stream_with_reconnect = stream_odds
