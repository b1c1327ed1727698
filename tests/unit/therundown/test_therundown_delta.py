"""Delta feeds: bootstrap from a snapshot, follow the cursor, loop on has_more, re-bootstrap on stale cursors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from specwire.core.errors import BadRequestError, ConfigurationError
from specwire.therundown import AsyncTheRundown, DeltaUnavailableError, TheRundown

from tests.contract.therundown.cassette_data import example

KEY = "delta-test-key-0a1b2c3d4e"
SNAPSHOT = example("/api/v2/sports/{sportID}/events/{date}")
STALE = {"error": "last_id is stale (>30 min), re-bootstrap from events endpoint"}
NOT_FOUND = {"error": "last_id not found, re-bootstrap from events endpoint"}


def delta(i: int, price: str = "-112") -> dict[str, Any]:
    return {
        "id": i,
        "event_id": "09bfa53f8484a63e584398545c035932",
        "sport_id": 4,
        "affiliate_id": 19,
        "market_id": 1,
        "participant_id": 11,
        "participant_type": "TYPE_TEAM",
        "line": "",
        "price": price,
        "change_type": "price_change",
        "updated_at": f"2026-02-12T00:10:{i % 60:02d}Z",
    }


def page(cursor: str, *ids: int, more: bool = False) -> dict[str, Any]:
    return {
        "meta": {"delta_last_id": cursor, "count": len(ids), "has_more": more},
        "deltas": [delta(i) for i in ids],
    }


class Server:
    """Answers the events snapshot and the delta endpoint from scripted pages; records cursors."""

    def __init__(
        self, pages: list[tuple[int, Any]], *, snapshot_cursor: str = "100", delay: str = "0"
    ) -> None:
        self.pages = list(pages)
        self.snapshot_cursor = snapshot_cursor
        self.delay = delay
        self.snapshots = 0
        self.cursors: list[str] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if "/events/" in request.url.path:
            self.snapshots += 1
            body = {**SNAPSHOT, "meta": {"delta_last_id": self.snapshot_cursor}}
            return httpx.Response(200, json=body, headers={"X-Data-Delay-Seconds": self.delay})
        self.cursors.append(request.url.params["last_id"])
        status, body = self.pages.pop(0)
        return httpx.Response(status, json=body)


def rundown(server: Server) -> TheRundown:
    return TheRundown(KEY, transport=httpx.MockTransport(server), requests_per_second=1000, max_retries=0)


def test_bootstraps_follows_the_cursor_and_loops_on_has_more() -> None:
    server = Server([(200, page("102", 101, 102, more=True)), (200, page("103", 103)), (200, page("103"))])
    feed = rundown(server).market_deltas("NBA", "2026-02-12")
    first = feed.poll()
    assert [d.id for d in first] == [101, 102, 103]
    assert server.snapshots == 1 and server.cursors == ["100", "102"]
    assert feed.cursor == "103" and feed.snapshot is not None
    assert feed.poll() == [] and server.cursors[-1] == "103"
    snapshot_request = server.requests[0]
    assert snapshot_request.url.path == "/api/v2/sports/4/events/2026-02-12"
    assert snapshot_request.url.params["market_ids"] == "1,2,3,41,42,43"
    delta_request = server.requests[1]
    assert dict(delta_request.url.params) == {
        "last_id": "100",
        "sport_id": "4",
        "market_ids": "1,2,3,41,42,43",
    }


def test_iterating_sleeps_only_when_caught_up() -> None:
    server = Server([(200, page("101", 101)), (200, page("101")), (200, page("102", 102))])
    sleeps: list[float] = []
    feed = rundown(server).market_deltas(4, "2026-02-12", poll_interval=5)
    feed._sleep = sleeps.append
    got = []
    for entry in feed:
        got.append(entry.id)
        if len(got) == 2:
            break
    assert got == [101, 102] and sleeps == [5.0, 5.0]


@pytest.mark.parametrize("error", [STALE, NOT_FOUND])
def test_stale_cursor_rebootstraps_once_and_continues(error: dict[str, str]) -> None:
    server = Server([(400, error), (200, page("501", 501))], snapshot_cursor="500")
    snapshots: list[Any] = []
    feed = rundown(server).market_deltas(4, "2026-02-12", last_id=42)
    feed.on_rebootstrap = snapshots.append
    assert [d.id for d in feed.poll()] == [501]
    assert server.cursors == ["42", "500"]
    assert feed.rebootstraps == 1 and server.snapshots == 1 and len(snapshots) == 1
    assert snapshots[0].meta.delta_last_id == "500"


def test_stale_again_right_after_rebootstrap_is_raised_not_looped() -> None:
    server = Server([(400, STALE), (400, STALE)], snapshot_cursor="500")
    feed = rundown(server).market_deltas(4, "2026-02-12", last_id=42)
    with pytest.raises(BadRequestError, match="stale"):
        feed.poll()
    assert server.snapshots == 1 and server.cursors == ["42", "500"]


def test_other_400s_are_not_mistaken_for_stale_cursors() -> None:
    server = Server([(400, {"error": "market_ids accepts at most 12 ids"})])
    feed = rundown(server).market_deltas(4, "2026-02-12", last_id=42)
    with pytest.raises(BadRequestError, match="at most 12"):
        feed.poll()
    assert server.snapshots == 0


def test_delayed_key_gets_a_clear_error_and_no_zero_cursor() -> None:
    server = Server([], delay="30")
    feed = rundown(server).market_deltas(4, "2026-02-12")
    with pytest.raises(DeltaUnavailableError, match="delayed by 30 s"):
        feed.poll()
    assert server.cursors == [] and feed.cursor is None


def test_feed_arguments_are_checked_before_any_request() -> None:
    server = Server([])
    with pytest.raises(ConfigurationError, match="'curling'"):
        rundown(server).market_deltas("curling")
    with pytest.raises(ConfigurationError, match="never 0"):
        rundown(server).market_deltas(4, last_id=0)
    with pytest.raises(ConfigurationError, match="got 13"):
        rundown(server).market_deltas(4, market_ids=range(1, 14))
    assert server.requests == []


async def test_async_feed_catches_up_the_same_way() -> None:
    server = Server(
        [(400, STALE), (200, page("601", 600, 601, more=True)), (200, page("602", 602))],
        snapshot_cursor="599",
    )
    async with AsyncTheRundown(
        KEY, transport=httpx.MockTransport(server), requests_per_second=1000, max_retries=0
    ) as client:
        feed = client.market_deltas(4, "2026-02-12", last_id=7)
        entries = await feed.apoll()
    assert [d.id for d in entries] == [600, 601, 602]
    assert server.cursors == ["7", "599", "601"] and feed.rebootstraps == 1


def event_page(cursor: str, *events: dict[str, Any]) -> dict[str, Any]:
    return {"meta": {"delta_last_id": cursor}, "deltas": [{"data": json.dumps(e)} for e in events]}


def test_event_feed_parses_the_json_strings_and_restarts_from_zero_when_stale() -> None:
    zero = "00000000-0000-0000-0000-000000000000"
    cursor_a = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
    answers = [
        (
            200,
            event_page(
                cursor_a, {"event_id": "e1", "sport_id": 4, "score": {"event_status": "STATUS_FINAL"}}
            ),
        ),
        (400, {"error": "last_id is stale, re-bootstrap from events endpoint"}),
        (200, event_page(cursor_a, {"event_id": "e2", "sport_id": 4})),
    ]
    cursors: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursors.append(request.url.params["last_id"])
        status, body = answers.pop(0)
        return httpx.Response(status, json=body)

    client = TheRundown(KEY, transport=httpx.MockTransport(handler), requests_per_second=1000, max_retries=0)
    feed = client.event_deltas(sport_id="NBA")
    first = feed.poll()
    assert [e.event_id for e in first] == ["e1"] and first[0].score.event_status.value == "STATUS_FINAL"
    assert [e.event_id for e in feed.poll()] == ["e2"]
    assert cursors == [zero, cursor_a, zero] and feed.restarts == 1


def test_event_feed_reports_a_broken_payload() -> None:
    from specwire.core.errors import StreamParseError

    handler = lambda request: httpx.Response(  # noqa: E731
        200, json={"meta": {"delta_last_id": "x" * 36}, "deltas": [{"data": "{not json"}]}
    )
    client = TheRundown(KEY, transport=httpx.MockTransport(handler), requests_per_second=1000)
    with pytest.raises(StreamParseError, match="not json"):
        client.event_deltas().poll()
