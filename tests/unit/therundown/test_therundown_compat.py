"""The docs' Python-guide names (``api_get``, ``stream_odds``, ...) port onto the SDK."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from specwire.core.errors import ConfigurationError
from specwire.therundown import AsyncTheRundown, RateLimitKind, TheRundown, TheRundownRateLimitError
from specwire.therundown.compat import BASE_URL, WS_URL, api_get, stream_odds, stream_with_reconnect
from specwire_gen.therundown.stream_models import MarketPrice

from tests.support.ws_server import Send, Stall, WSServer

KEY = "compat-test-key-3c4d5e6f"


def test_guide_constants() -> None:
    assert BASE_URL == "https://therundown.io/api/v2"
    assert WS_URL == "wss://therundown.io/api/v2/ws/markets"


def test_api_get_returns_the_json_and_sends_the_key_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"events": [], "meta": {"delta_last_id": "1"}})

    client = TheRundown(KEY, transport=httpx.MockTransport(handler), requests_per_second=1000)
    data = api_get(
        "/sports/4/events/2026-02-12", params={"market_ids": [1, 2, 3], "main_line": "true"}, client=client
    )
    assert data == {"events": [], "meta": {"delta_last_id": "1"}}
    assert seen[0].url.path == "/api/v2/sports/4/events/2026-02-12"
    assert dict(seen[0].url.params) == {"market_ids": "1,2,3", "main_line": "true"}
    assert seen[0].headers["X-TheRundown-Key"] == KEY


def test_api_get_retries_bursts_but_not_quota() -> None:
    answers = [
        httpx.Response(429, json={"error": "Rate limit exceeded"}, headers={"Retry-After": "0"}),
        httpx.Response(429, json={"error": "Daily data point limit reached"}),
    ]
    client = TheRundown(
        KEY, transport=httpx.MockTransport(lambda r: answers.pop(0)), requests_per_second=1000
    )
    with pytest.raises(TheRundownRateLimitError) as caught:
        api_get("/sports", client=client)
    assert caught.value.kind is RateLimitKind.DAILY_QUOTA and answers == []


@pytest.mark.parametrize("path", ["sports", "https://evil.example/sports", "/../v1/sports"])
def test_api_get_refuses_paths_outside_the_api(path: str) -> None:
    with pytest.raises(ConfigurationError, match="path"):
        api_get(path, client=TheRundown(KEY))


async def test_stream_odds_yields_typed_prices() -> None:
    frame: dict[str, Any] = {
        "meta": {"type": "market_price"},
        "data": {"event_id": "e1", "affiliate_id": 19, "market_id": 1, "price": "-110"},
    }
    async with WSServer(
        [[Send({"meta": {"type": "heartbeat"}, "data": {}}), Send(frame), Stall()]]
    ) as server:
        client = AsyncTheRundown(KEY, ws_url=server.url("/api/v2/ws/markets"))
        async for price in stream_odds("4,2", "1,2,3", client=client):
            assert isinstance(price, MarketPrice) and price.price == "-110"
            break
    assert server.connections[0].query == {"key": KEY, "sport_ids": "4,2", "market_ids": "1,2,3"}
    assert stream_with_reconnect is stream_odds
