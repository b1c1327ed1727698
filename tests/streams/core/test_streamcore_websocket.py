"""ReconnectingWebSocket against a real loopback server: resubscribe, idle watchdog, fatal handshakes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from specwire.core.errors import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    ErrorFamily,
    PermissionDeniedError,
    StreamError,
)
from specwire.core.redact import register_secret
from specwire.streaming.backoff import Backoff
from specwire.streaming.state import ConnectionState, StateChange
from specwire.streaming.websocket import Reconnected, ReconnectingWebSocket
from websockets.asyncio.client import ClientConnection

from tests.support.ws_server import Call, Close, Drop, Expect, Reject, Send, Sleep, Stall, WSServer

SUBSCRIBE = json.dumps({"op": "subscribe", "channel": "quotes"})


class RecordingBackoff(Backoff):
    """A fast backoff (a few ms) so reconnect tests take no real time."""

    def __init__(self) -> None:
        super().__init__(initial=0.001, maximum=0.005)


async def subscribe(ws: ClientConnection) -> None:
    await ws.send(SUBSCRIBE)


def make(srv: WSServer, **kw: Any) -> tuple[ReconnectingWebSocket, list[StateChange]]:
    states: list[StateChange] = []
    kw.setdefault("backoff", RecordingBackoff())
    kw.setdefault("on_state_change", states.append)
    kw.setdefault("url_for", srv.url())
    return ReconnectingWebSocket(**kw), states


async def collect(rws: ReconnectingWebSocket, limit: int | None = None) -> list[Any]:
    out: list[Any] = []
    async with rws:
        async for frame in rws:
            out.append(frame)
            if limit is not None and len(out) >= limit:
                break
    return out


async def test_reconnects_after_drops_and_resubscribes_before_yielding() -> None:
    async with WSServer(
        [
            [Expect("subscribe"), Send({"n": 1}), Send(b"\x01\x02"), Drop()],
            [Expect("subscribe"), Send({"n": 2}), Close(1001, "going away")],
            [Expect("subscribe"), Send({"n": 3})],
        ]
    ) as srv:
        rws, states = make(srv, on_connect=subscribe)
        frames = await collect(rws, limit=4)
    assert frames == ['{"n":1}', b"\x01\x02", '{"n":2}', '{"n":3}']
    assert [c.received for c in srv.connections] == [[SUBSCRIBE]] * 3
    reasons = [s.reason for s in states if s.new is ConnectionState.RECONNECTING]
    assert reasons == ["connection lost (no close frame)", "server closed the connection (1001: going away)"]
    assert [s.new for s in states][-1] is ConnectionState.DISCONNECTED
    assert rws.connections == 3


async def test_markers_tell_the_consumer_where_a_gap_may_be() -> None:
    async with WSServer([[Send("a"), Drop()], [Send("b"), Drop()], [Send("c")]]) as srv:
        rws, _ = make(srv, yield_markers=True)
        frames = await collect(rws, limit=5)
    assert frames[0] == "a" and frames[2] == "b" and frames[4] == "c"
    for marker in (frames[1], frames[3]):
        assert isinstance(marker, Reconnected)
        assert marker.attempt == 1 and marker.reason == "connection lost (no close frame)"
        assert marker.downtime >= 0


async def test_no_markers_unless_asked() -> None:
    async with WSServer([[Send("a"), Drop()], [Send("b")]]) as srv:
        rws, _ = make(srv)
        assert await collect(rws, limit=2) == ["a", "b"]


async def test_idle_watchdog_reconnects_a_silent_connection() -> None:
    async with WSServer([[Send("a"), Stall()], [Send("b")]]) as srv:
        rws, states = make(srv, idle_timeout=0.15, ping_interval=None)
        frames = await collect(rws, limit=2)
    assert frames == ["a", "b"]
    assert any("idle timeout" in s.reason for s in states)
    assert len(srv.connections) == 2


async def test_handshake_401_is_fatal_and_typed() -> None:
    async with WSServer([[Reject(401, {"message": "bad token"})]]) as srv:
        rws, states = make(srv)
        with pytest.raises(AuthenticationError) as info:
            await collect(rws)
    assert "bad token" in info.value.message and info.value.status_code == 401
    assert len(srv.connections) == 1
    assert states[-1].new is ConnectionState.DISCONNECTED


async def test_handshake_403_after_a_reconnect_is_fatal_with_the_provider_family() -> None:
    class AcmeError(Exception):
        pass

    family = ErrorFamily.derive(AcmeError, prefix="Acme")
    async with WSServer([[Send("a"), Drop()], [Reject(403, "forbidden here")]]) as srv:
        rws, _ = make(srv, error_family=family)
        got: list[Any] = []
        with pytest.raises(PermissionDeniedError) as info:
            async with rws:
                async for frame in rws:
                    got.append(frame)
    assert got == ["a"]
    assert isinstance(info.value, AcmeError)
    assert "forbidden here" in info.value.message


async def test_handshake_503_and_429_are_retried_honouring_retry_after() -> None:
    async with WSServer(
        [[Reject(503, "down")], [Reject(429, "slow", headers={"Retry-After": "0.03"})], [Send("ok")]]
    ) as srv:
        rws, states = make(srv)
        assert await collect(rws, limit=1) == ["ok"]
    delays = [s.delay for s in states if s.new is ConnectionState.RECONNECTING]
    assert len(delays) == 2
    assert delays[0] is not None and delays[0] <= 0.005
    assert delays[1] == 0.03


async def test_frames_over_one_mebibyte_are_received() -> None:
    big = "x" * (1024 * 1024 + 17)
    async with WSServer([[Send(big), Send(b"y" * (3 * 1024 * 1024))]]) as srv:
        rws, _ = make(srv)
        frames = await collect(rws, limit=2)
    assert frames[0] == big and len(frames[1]) == 3 * 1024 * 1024


async def test_url_and_headers_are_fresh_on_every_connect() -> None:
    header_tokens = iter(range(1, 10))
    url_tokens = iter(range(1, 10))

    async def headers_for() -> dict[str, str]:
        return {"Authorization": f"Bearer t{next(header_tokens)}"}

    async with WSServer([[Send("a"), Drop()], [Send("b"), Drop()], [Send("c")]]) as srv:
        rws, _ = make(srv, headers_for=headers_for, url_for=lambda: srv.url(token=f"u{next(url_tokens)}"))
        assert await collect(rws, limit=3) == ["a", "b", "c"]
    assert [c.headers["authorization"] for c in srv.connections] == ["Bearer t1", "Bearer t2", "Bearer t3"]
    assert [c.query["token"] for c in srv.connections] == ["u1", "u2", "u3"]


async def test_send_reaches_the_server_and_fails_clearly_when_not_connected() -> None:
    async with WSServer([[Expect("hello"), Send("ack")]]) as srv:
        rws, _ = make(srv)
        with pytest.raises(StreamError, match="not connected"):
            await rws.send("too early")
        async with rws:
            await rws.send("hello")
            assert await rws.__anext__() == "ack"
        assert srv.connections[0].received == ["hello"]
        with pytest.raises(StreamError, match="not connected"):
            await rws.send("too late")


async def test_clean_close_with_reconnects_exhausted_ends_iteration() -> None:
    async with WSServer([[Send("a"), Close(1000)]]) as srv:
        rws, states = make(srv, max_reconnects=0)
        assert await collect(rws) == ["a"]
    assert states[-1].new is ConnectionState.DISCONNECTED


async def test_abrupt_drop_without_reconnect_raises_connection_error() -> None:
    async with WSServer([[Send("a"), Drop()]]) as srv:
        rws, _ = make(srv, reconnect=False)
        got: list[Any] = []
        with pytest.raises(APIConnectionError):
            async with rws:
                async for frame in rws:
                    got.append(frame)
    assert got == ["a"]


async def test_unreachable_server_gives_up_after_max_reconnects() -> None:
    async with WSServer() as srv:
        url = srv.url()
    rws = ReconnectingWebSocket(url, backoff=Backoff(0.001, 0.002), max_reconnects=2, open_timeout=2)
    with pytest.raises(APIConnectionError):
        await collect(rws)
    assert rws.reconnects == 2


async def test_aclose_from_another_task_ends_iteration() -> None:
    async with WSServer([[Send("a"), Stall()]]) as srv:
        rws, _ = make(srv)
        got: list[Any] = []

        async def consume() -> None:
            async with rws:
                async for frame in rws:
                    got.append(frame)

        task = asyncio.create_task(consume())
        assert await srv.await_until(lambda: got == ["a"])
        await rws.aclose()
        await asyncio.wait_for(task, 5)
        assert await srv.await_until(lambda: srv.open_connections == 0)
    assert rws.closed


async def test_on_connect_failure_is_raised_but_a_drop_inside_it_is_retried() -> None:
    async def ack_then_fail(ws: ClientConnection) -> None:
        await ws.send(SUBSCRIBE)
        reply = json.loads(await ws.recv())
        if reply["status"] != "ok":
            raise ValueError(f"subscription refused: {reply}")

    async with WSServer(
        [
            [Expect("subscribe"), Drop()],  # dropped while on_connect waits for its ack
            [Expect("subscribe"), Send({"status": "ok"}), Send("data")],
        ]
    ) as srv:
        rws, _ = make(srv, on_connect=ack_then_fail)
        assert await collect(rws, limit=1) == ["data"]

    async with WSServer([[Expect("subscribe"), Send({"status": "denied"})]]) as srv:
        rws, _ = make(srv, on_connect=ack_then_fail)
        with pytest.raises(ValueError, match="subscription refused"):
            await collect(rws)


async def test_custom_is_fatal_on_a_close_code() -> None:
    from websockets.exceptions import ConnectionClosed

    def fatal(exc: BaseException) -> bool:
        return isinstance(exc, ConnectionClosed) and exc.rcvd is not None and exc.rcvd.code == 4001

    async with WSServer([[Send("a"), Close(4001, "session replaced")]]) as srv:
        rws, _ = make(srv, is_fatal=fatal)
        with pytest.raises(StreamError, match="4001"):
            await collect(rws)
    assert len(srv.connections) == 1


async def test_state_changes_and_callback_errors_do_not_break_the_stream() -> None:
    def bad_callback(change: StateChange) -> None:
        raise RuntimeError("user bug")

    async with WSServer([[Send("a"), Drop()], [Sleep(0.01), Send("b")]]) as srv:
        rws, _ = make(srv, on_state_change=bad_callback)
        assert await collect(rws, limit=2) == ["a", "b"]


async def test_server_script_call_step_can_drive_custom_logic() -> None:
    async def echo(ws: Any, record: Any) -> None:
        msg = await ws.recv()
        await ws.send(f"echo:{msg}")

    async with (
        WSServer([[Call(echo)]]) as srv,
        ReconnectingWebSocket(srv.url(), backoff=Backoff(0.001, 0.002)) as rws,
    ):
        await rws.send("ping")
        assert await rws.__anext__() == "echo:ping"


def test_bad_options_are_rejected_up_front() -> None:
    with pytest.raises(ConfigurationError, match="max_size"):
        ReconnectingWebSocket("ws://127.0.0.1:9/", max_size=1000)
    with pytest.raises(ConfigurationError, match="idle_timeout"):
        ReconnectingWebSocket("ws://127.0.0.1:9/", idle_timeout=0)
    with pytest.raises(ConfigurationError, match="additional_headers"):
        ReconnectingWebSocket(
            "ws://127.0.0.1:9/", headers_for={"a": "b"}, connect_kwargs={"additional_headers": {"x": "y"}}
        )


async def test_secrets_never_reach_the_handshake_error() -> None:
    secret = "ws-secret-token-456"
    register_secret(secret)
    async with WSServer([[Reject(401, {"message": f"token {secret} expired"})]]) as srv:
        rws, states = make(
            srv, url_for=srv.url(token=secret), headers_for={"Authorization": f"Bearer {secret}"}
        )
        with pytest.raises(AuthenticationError) as info:
            await collect(rws)
    err = info.value
    for text in (str(err), repr(err), err.url or "", str(err.body), *(s.reason for s in states)):
        assert secret not in text


async def test_a_slow_consumer_is_not_mistaken_for_an_idle_connection() -> None:
    async with WSServer([[Send("a"), Send("b"), Send("c"), Stall()]]) as srv:
        rws, states = make(srv, idle_timeout=0.1, ping_interval=None)
        got: list[Any] = []
        async with rws:
            await asyncio.sleep(0.15)  # frames wait in the buffer longer than idle_timeout
            async for frame in rws:
                got.append(frame)
                if len(got) == 3:
                    break
                await asyncio.sleep(0.15)  # slow processing between frames
    assert got == ["a", "b", "c"]
    assert len(srv.connections) == 1
    assert not any(s.new is ConnectionState.RECONNECTING for s in states)


async def test_frames_buffered_before_a_drop_are_all_delivered() -> None:
    frames = [Send(str(i)) for i in range(100)]
    async with WSServer([[*frames, Drop()], [Send("after")]]) as srv:
        rws, _ = make(srv)
        got: list[Any] = []
        async with rws:
            await asyncio.sleep(0.05)  # let the whole burst and the drop arrive first
            async for frame in rws:
                got.append(frame)
                if frame == "after":
                    break
    assert got == [str(i) for i in range(100)] + ["after"]


async def test_an_acknowledgement_timeout_in_on_connect_is_retried() -> None:
    async def wait_for_ack(ws: ClientConnection) -> None:
        await ws.send(SUBSCRIBE)
        await asyncio.wait_for(ws.recv(), 0.1)  # raises TimeoutError when no ack comes

    async with WSServer(
        [
            [Expect("subscribe"), Stall()],  # never acknowledges
            [Expect("subscribe"), Send("ack"), Send("data")],
        ]
    ) as srv:
        rws, states = make(srv, on_connect=wait_for_ack)
        assert await collect(rws, limit=1) == ["data"]
    assert len(srv.connections) == 2
    assert any("TimeoutError" in s.reason for s in states if s.new is ConnectionState.RECONNECTING)
