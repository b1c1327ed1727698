"""The websockets library's own DEBUG logs (handshake request line and headers) never show a key or token."""

from __future__ import annotations

import logging

import pytest
from specwire.core.redact import Secret
from specwire.sequence import AsyncSequence
from specwire.sequence.streams import StreamOptions
from specwire.streaming.backoff import Backoff
from specwire.streaming.websocket import ReconnectingWebSocket

from tests.support.ws_server import Expect, Send, Stall, WSServer

KEY = "seq_live_" + "wslogkey0123456789"  # built at run time: no key-shaped literal in the repo
QUERY_KEY = "rundown" + "querykey0123456789"


async def test_handshake_headers_logged_by_websockets_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="websockets")
    script = [Expect("subscribe"), Send({"channel": "fills", "data": {"fill_id": "f1"}}), Stall()]
    async with WSServer([script]) as server:
        seq = AsyncSequence(
            KEY,
            f"http://127.0.0.1:{server.port}",
            stream_options=StreamOptions(backoff=Backoff(initial=0.01, maximum=0.02), open_timeout=5.0),
        )
        async for _item in seq.stream(["fills"]):
            break
        await seq.aclose()
    handshake = [r for r in caplog.records if r.name.startswith("websockets")]
    assert any("Authorization" in r.getMessage() for r in handshake)  # the headers were logged...
    assert all(KEY not in r.getMessage() for r in caplog.records)  # ...without the key
    assert KEY not in caplog.text


async def test_query_string_key_logged_by_websockets_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    Secret(QUERY_KEY)  # what every provider does with the key it is given
    caplog.set_level(logging.DEBUG, logger="websockets")
    async with WSServer([[Send("hello"), Stall()]]) as server:
        ws = ReconnectingWebSocket(f"ws://127.0.0.1:{server.port}/markets?key={QUERY_KEY}")
        async with ws:
            async for _frame in ws:
                break
    assert any("GET /markets?key=" in r.getMessage() for r in caplog.records)
    assert QUERY_KEY not in caplog.text


async def test_a_rejected_url_never_shows_its_key_in_the_error_or_state_reasons() -> None:
    from specwire.core.errors import SpecwireError

    Secret(QUERY_KEY)
    reasons: list[str] = []
    ws = ReconnectingWebSocket(
        f"http://127.0.0.1:1/markets?key={QUERY_KEY}",  # not a ws:// URL: websockets quotes it back
        on_state_change=lambda change: reasons.append(change.reason),
        max_reconnects=0,
    )
    with pytest.raises(SpecwireError) as info:
        await ws.connect()
    assert QUERY_KEY not in str(info.value) and QUERY_KEY not in repr(info.value)
    assert reasons and all(QUERY_KEY not in r for r in reasons)
