"""The market WebSocket against a loopback server: decoding, heartbeats, silence, drops and REST catch-up."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import httpx
import pytest
from specwire.core.errors import AuthenticationError, StreamParseError
from specwire.streaming.state import ConnectionState, StateChange
from specwire.therundown import AsyncTheRundown, MarketStream, StreamResync, TheRundown
from specwire.therundown.streams import SeedBackoff, decode_frame
from specwire_gen.therundown.stream_models import HeartbeatMessage, MarketPrice

from tests.contract.therundown.cassette_data import example
from tests.support.ws_server import Drop, Reject, Send, Sleep, Stall, WSServer

KEY = "stream-test-key-5e6f7a8b9c"
EVENT = "9b9d0cf6007fdaeb15c3a1888dcfd5df"
SNAPSHOT = example("/api/v2/sports/{sportID}/events/{date}")
HEARTBEAT = {"meta": {"type": "heartbeat"}, "data": {"now": "2026-03-02T23:44:59Z"}}


def price_frame(i: int, price: str = "-117", participant: int = 10) -> dict[str, Any]:
    return {
        "meta": {"type": "market_price", "version": "v2", "timestamp": 1772495104 + i},
        "data": {
            "id": 193600000 + i,
            "event_id": EVENT,
            "affiliate_id": 19,
            "market_participant_id": 19402291,
            "market_id": 3,
            "line": "1.5",
            "price": price,
            "previous_price": "-122.0000",
            "price_delta": 5,
            "is_main_line": True,
            "normalized_market_participant_id": participant,
            "normalized_market_participant_type": 3,
            "sport_id": 7,
            "updated_at": f"2026-03-02T23:44:{i:02d}Z",
        },
    }


def delta_of(frame: dict[str, Any]) -> dict[str, Any]:
    """The same change as the delta feed reports it."""
    d = frame["data"]
    return {
        "id": d["id"],
        "event_id": d["event_id"],
        "sport_id": d["sport_id"],
        "affiliate_id": d["affiliate_id"],
        "market_id": d["market_id"],
        "participant_id": d["normalized_market_participant_id"],
        "participant_type": "TYPE_RESULT",
        "line": d["line"],
        "price": d["price"].rstrip("0").rstrip(".") if "." in d["price"] else d["price"],
        "previous_price": d["previous_price"],
        "change_type": "price_change",
        "updated_at": d["updated_at"],
    }


class Rest:
    """Snapshot + delta pages for catch-up; records the cursors asked for."""

    def __init__(self, pages: list[tuple[int, Any]], snapshot_cursor: str = "100") -> None:
        self.pages = list(pages)
        self.snapshot_cursor = snapshot_cursor
        self.cursors: list[str] = []
        self.snapshots = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "/events/" in request.url.path:
            self.snapshots += 1
            return httpx.Response(
                200,
                json={**SNAPSHOT, "meta": {"delta_last_id": self.snapshot_cursor}},
                headers={"X-Data-Delay-Seconds": "0"},
            )
        self.cursors.append(request.url.params["last_id"])
        if not self.pages:
            return httpx.Response(
                200, json={"meta": {"delta_last_id": self.cursors[-1], "has_more": False}, "deltas": []}
            )
        status, body = self.pages.pop(0)
        return httpx.Response(status, json=body)


def page(cursor: str, *entries: dict[str, Any], more: bool = False) -> tuple[int, Any]:
    return 200, {
        "meta": {"delta_last_id": cursor, "count": len(entries), "has_more": more},
        "deltas": list(entries),
    }


def fast() -> SeedBackoff:
    return SeedBackoff(initial=0.01, maximum=0.05, jitter=False)


def aclient(server: WSServer, rest: Rest | None = None) -> AsyncTheRundown:
    return AsyncTheRundown(
        KEY,
        transport=httpx.MockTransport(rest or Rest([])),
        requests_per_second=1000,
        max_retries=0,
        ws_url=server.url("/api/v2/ws/markets"),
    )


async def collect(stream: MarketStream, n: int, timeout: float = 5.0) -> list[Any]:
    items: list[Any] = []

    async def run() -> None:
        async for item in stream:
            items.append(item)
            if len(items) >= n:
                return

    await asyncio.wait_for(run(), timeout)
    return items


def test_frames_decode_to_typed_models() -> None:
    price = decode_frame(__import__("json").dumps(price_frame(4)).encode())
    assert isinstance(price, MarketPrice)
    assert (price.event_id, price.market_id, price.affiliate_id, price.line, price.price) == (
        EVENT,
        3,
        19,
        "1.5",
        "-117",
    )
    assert price.previous_price == "-122.0000" and price.normalized_market_participant_type == 3
    assert isinstance(
        decode_frame(b'{"meta":{"type":"heartbeat"},"data":{"now":"2026-03-02T23:44:59Z"}}'), HeartbeatMessage
    )
    assert decode_frame(b'{"meta":{"type":"usage"},"data":{}}') is None
    numeric = decode_frame(
        b'{"meta":{"type":"market_price"},"data":{"event_id":"e","affiliate_id":1,"market_id":1,"price":-110}}'
    )
    assert isinstance(numeric, MarketPrice) and numeric.price == -110
    with pytest.raises(StreamParseError, match="not a TheRundown"):
        decode_frame(b"[1,2]")
    with pytest.raises(StreamParseError, match="malformed market_price"):
        decode_frame(b'{"meta":{"type":"market_price"},"data":{"event_id":"e"}}')


async def test_live_prices_with_filters_and_key_in_the_query(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with WSServer(
        [[Send(price_frame(1)), Send(HEARTBEAT), Send(price_frame(2, "-120")), Stall()]]
    ) as server:
        client = aclient(server)
        stream = client.stream(
            sport_ids=["UFC"], market_ids=["totals"], affiliate_ids=["DraftKings"], catch_up=False
        )
        items = await collect(stream, 2)
    assert [i.price for i in items] == ["-117", "-120"]
    conn = server.connections[0]
    assert conn.path == "/api/v2/ws/markets"
    assert conn.query == {"key": KEY, "sport_ids": "7", "market_ids": "3", "affiliate_ids": "19"}
    # the client side (ours and the websockets client it drives) never logs the key; the test server may
    client_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")]
    assert any("GET /api/v2/ws/markets" in m for m in client_logs)
    assert not any(KEY in m for m in client_logs)


async def test_key_in_the_header_keeps_it_out_of_the_url_and_heartbeats_on_request() -> None:
    async with WSServer([[Send(HEARTBEAT), Send(price_frame(1)), Stall()]]) as server:
        stream = aclient(server).stream(key_in="header", catch_up=False, include_heartbeats=True)
        items = await collect(stream, 2)
    assert isinstance(items[0], HeartbeatMessage) and isinstance(items[1], MarketPrice)
    conn = server.connections[0]
    assert conn.headers["x-therundown-key"] == KEY and "key" not in conn.query


async def test_drop_then_catch_up_emits_missed_changes_deduplicated_before_live_ones() -> None:
    seen_live = price_frame(1)
    missed_a = price_frame(2, "-125", participant=11)
    missed_b = price_frame(3, "-130", participant=12)
    after = price_frame(4, "-131", participant=12)
    rest = Rest(
        [
            page("100"),  # catch-up right after the first connect: nothing new since the snapshot
            page("102", delta_of(seen_live), delta_of(missed_a), more=True),
            page("103", delta_of(missed_b)),
        ]
    )
    states: list[StateChange] = []
    scripts = [[Send(seen_live), Sleep(0.05), Drop()], [Send(after), Stall()]]
    async with WSServer(scripts) as server:
        stream = aclient(server, rest).stream(sport_ids=[7], backoff=fast(), on_state_change=states.append)
        items = await collect(stream, 4)
    assert [(i.normalized_market_participant_id, float(i.price)) for i in items] == [
        (10, -117.0),
        (11, -125.0),
        (12, -130.0),
        (12, -131.0),
    ]
    assert stream.caught_up == 2 and stream.duplicates == 1
    assert rest.snapshots == 1 and rest.cursors == ["100", "100", "102"]
    assert stream.cursor == "103"
    assert [s.new for s in states].count(ConnectionState.RECONNECTING) == 1
    assert len(server.connections) == 2


async def test_live_copy_of_a_caught_up_change_is_not_emitted_twice() -> None:
    missed = price_frame(2, "-125", participant=11)
    rest = Rest([page("100"), page("101", delta_of(missed))])
    scripts = [[Drop()], [Send(missed), Send(price_frame(3, "-140")), Stall()]]
    async with WSServer(scripts) as server:
        stream = aclient(server, rest).stream(sport_ids=[7], backoff=fast())
        items = await collect(stream, 2)
    assert [float(i.price) for i in items] == [-125.0, -140.0]
    assert stream.duplicates == 1


async def test_silence_past_the_heartbeats_triggers_a_reconnect() -> None:
    states: list[StateChange] = []
    scripts = [[Send(price_frame(1)), Stall()], [Send(price_frame(2, "-119")), Stall()]]
    async with WSServer(scripts) as server:
        stream = aclient(server).stream(
            catch_up=False,
            heartbeat_interval=0.05,
            idle_heartbeats=2,
            backoff=fast(),
            on_state_change=states.append,
        )
        items = await collect(stream, 2)
    assert [i.price for i in items] == ["-117", "-119"]
    reconnect = [s for s in states if s.new is ConnectionState.RECONNECTING]
    assert reconnect and "idle" in reconnect[0].reason


async def test_heartbeats_keep_a_quiet_connection_alive() -> None:
    beats = [Send(HEARTBEAT) if i % 2 == 0 else Sleep(0.03) for i in range(16)]
    async with WSServer([[*beats, Send(price_frame(1)), Stall()]]) as server:
        stream = aclient(server).stream(
            catch_up=False, heartbeat_interval=0.05, idle_heartbeats=2, backoff=fast()
        )
        items = await collect(stream, 1)
    assert items[0].price == "-117" and len(server.connections) == 1


async def test_stale_cursor_after_reconnect_yields_a_resync_with_the_fresh_snapshot() -> None:
    stale = (400, {"error": "last_id is stale (>30 min), re-bootstrap from events endpoint"})
    rest = Rest([page("100"), stale, page("900")], snapshot_cursor="100")
    scripts = [[Drop()], [Send(price_frame(5)), Stall()]]
    async with WSServer(scripts) as server:
        stream = aclient(server, rest).stream(sport_ids=[7], backoff=fast())
        items = await collect(stream, 2)
    assert isinstance(items[0], StreamResync) and items[0].snapshot.events[0].sport_id == 4
    assert isinstance(items[1], MarketPrice)
    assert rest.snapshots == 2


async def test_catch_up_failure_is_reported_and_the_stream_goes_on() -> None:
    errors: list[BaseException] = []
    rest = Rest([page("100"), (500, {"error": "internal server error"})])
    scripts = [[Drop()], [Send(price_frame(1)), Stall()]]
    async with WSServer(scripts) as server:
        stream = aclient(server, rest).stream(sport_ids=[7], backoff=fast(), on_error=errors.append)
        items = await collect(stream, 1)
    assert items[0].price == "-117"
    assert errors and getattr(errors[0], "status_code", None) == 500


async def test_malformed_frame_is_reported_and_skipped() -> None:
    errors: list[BaseException] = []
    async with WSServer([[Send("{oops"), Send(price_frame(1)), Stall()]]) as server:
        stream = aclient(server).stream(catch_up=False, on_error=errors.append)
        items = await collect(stream, 1)
    assert items[0].price == "-117" and isinstance(errors[0], StreamParseError)


async def test_rejected_key_is_fatal_and_typed() -> None:
    async with WSServer([[Reject(401, {"error": "invalid api key"})]]) as server:
        stream = aclient(server).stream(catch_up=False, backoff=fast())
        with pytest.raises(AuthenticationError) as caught:
            await collect(stream, 1)
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert len(server.connections) == 1


def test_catch_up_needs_a_cursor_source() -> None:
    client = AsyncTheRundown(KEY, requests_per_second=1000)
    from specwire.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="cursor="):
        client.stream(sport_ids=[4, 2])
    with pytest.raises(ConfigurationError, match="'curling'"):
        client.stream(sport_ids=["curling"], catch_up=False)
    with pytest.raises(ConfigurationError, match="got 13"):
        client.stream(market_ids=range(1, 14), catch_up=False)


def test_reconnect_schedule_is_one_second_doubling_to_thirty_with_jitter() -> None:
    backoff = SeedBackoff(initial=1.0, maximum=30.0, rand=lambda: 0.5)
    delays = [backoff.next_delay() for _ in range(7)]
    assert delays == [1.5, 2.5, 4.5, 8.5, 16.5, 30.0, 30.0]
    backoff.reset()
    assert backoff.next_delay() == 1.5


def test_sync_callback_form_delivers_catch_up_then_live() -> None:
    missed = price_frame(2, "-125", participant=11)
    rest = Rest([page("100"), page("101", delta_of(missed))])
    got: list[Any] = []
    done = threading.Event()

    def on_event(item: Any) -> None:
        got.append(item)
        if len(got) == 3:
            done.set()

    with WSServer(
        [[Send(price_frame(1)), Sleep(0.05), Drop()], [Send(price_frame(3, "-150")), Stall()]]
    ) as server:
        client = TheRundown(
            KEY,
            transport=httpx.MockTransport(rest),
            requests_per_second=1000,
            max_retries=0,
            ws_url=server.url("/api/v2/ws/markets"),
        )
        handle = client.stream(sport_ids=["UFC"], backoff=fast(), on_event=on_event)
        handle.start(timeout=5)
        try:
            assert done.wait(5)
        finally:
            handle.stop()
    assert [float(i.price) for i in got] == [-117.0, -125.0, -150.0]
