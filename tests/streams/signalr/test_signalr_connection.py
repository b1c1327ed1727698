"""HubConnection against the loopback hub: handshake, calls, keep-alive, drops, tokens, negotiation."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import msgspec
import pytest
from specwire.core.errors import ConfigurationError, StreamParseError
from specwire.streaming.backoff import Backoff
from specwire.streaming.signalr import (
    HandshakeError,
    HubClosedError,
    HubConnection,
    HubConnectionLostError,
    HubInvocationError,
)
from specwire.streaming.state import ConnectionState

from tests.support.signalr_hub import HubMethodError, LoopbackHub, invocation

FAST = {"keepalive_interval": 0.05, "server_timeout": 0.5, "open_timeout": 2.0, "invoke_timeout": 2.0}


def fast_backoff() -> Backoff:
    return Backoff(initial=0.001, maximum=0.01, jitter=False)


async def until(predicate: Any, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


@pytest.fixture
async def hub():
    async with LoopbackHub() as h:
        yield h


async def test_handshake_invoke_send_and_server_events(hub: LoopbackHub) -> None:
    hub.methods["Echo"] = lambda client, args: {"echo": args}
    received: list[tuple[Any, ...]] = []
    async with HubConnection(hub.url, access_token="tok-1", backoff=fast_backoff(), **FAST) as conn:
        conn.on("gatewayquote", lambda *args: received.append(args))
        assert conn.state is ConnectionState.CONNECTED
        assert await conn.invoke("Echo", 1, "a") == {"echo": [1, "a"]}
        await conn.send("Fire", 42)
        await hub.current.wait_invoked("Fire")
        assert hub.current.invocations[-1] == ("Fire", [42], None)  # no invocationId: fire-and-forget
        await hub.broadcast("GatewayQuote", "CON.F.US.EP.U25", {"lastPrice": 1.5})
        await until(lambda: received)
    assert received == [("CON.F.US.EP.U25", {"lastPrice": 1.5})]
    assert hub.tokens_seen == ["tok-1"]
    assert conn.state is ConnectionState.DISCONNECTED


async def test_error_completion_raises_named_error(hub: LoopbackHub) -> None:
    def bad(client: Any, args: list[Any]) -> None:
        raise HubMethodError("Method does not exist or wrong argument count")

    hub.methods["SubscribeAccounts"] = bad
    async with HubConnection(hub.url, **FAST) as conn:
        with pytest.raises(HubInvocationError, match="SubscribeAccounts") as info:
            await conn.invoke("SubscribeAccounts", 1)
        assert info.value.error == "Method does not exist or wrong argument count"
        # A failed subscribe is not remembered.
        with pytest.raises(HubInvocationError):
            await conn.subscribe("SubscribeAccounts", 1)
        assert conn.subscriptions == []


async def test_stream_items_and_stream_error(hub: LoopbackHub) -> None:
    hub.methods["Counter"] = lambda client, args: range(args[0])

    def broken(client: Any, args: list[Any]) -> None:
        raise HubMethodError("stream failed")

    hub.methods["Broken"] = broken
    async with HubConnection(hub.url, **FAST) as conn:
        assert [item async for item in conn.stream("Counter", 3)] == [0, 1, 2]
        with pytest.raises(HubInvocationError, match="stream failed"):
            async for _ in conn.stream("Broken"):
                pass


async def test_records_split_across_frames_and_packed_in_one_frame_text_and_binary(hub: LoopbackHub) -> None:
    got: list[Any] = []
    async with HubConnection(hub.url, **FAST) as conn:
        conn.on("E", lambda x: got.append(x))
        client = hub.current
        whole = '{"type":1,"target":"E","arguments":[1]}\x1e{"type":1,"target":"E","arguments":[2]}\x1e'
        await client.send_text(whole[:10])
        await client.send_text(whole[10:50])
        await client.send_binary(whole[50:].encode())
        await client.send_binary(b'{"type":6}\x1e{"type":1,"target":"E","arguments":[3]}\x1e')
        await until(lambda: len(got) == 3)
    assert got == [1, 2, 3]


async def test_large_frame_over_one_mebibyte(hub: LoopbackHub) -> None:
    got: list[Any] = []
    big = "x" * (3 * 2**20 // 2)
    async with HubConnection(hub.url, **FAST) as conn:
        conn.on("Big", lambda x: got.append(len(x)))
        await hub.broadcast("Big", big)
        await until(lambda: got)
    assert got == [len(big)]


async def test_malformed_records_are_reported_and_skipped(hub: LoopbackHub) -> None:
    got: list[Any] = []
    errors: list[BaseException] = []
    async with HubConnection(hub.url, **FAST) as conn:
        conn.add_error_listener(errors.append)
        conn.on("E", lambda x: got.append(x))
        await hub.current.send_text('{"type":1,"target":"E","arguments":[1]}\x1e{not json\x1e{"type":1}\x1e')
        await hub.current.send_text('{"type":99,"x":1}\x1e{"type":1,"target":"E","arguments":[2]}\x1e')
        await until(lambda: len(got) == 2)
        assert conn.state is ConnectionState.CONNECTED
    assert got == [1, 2]
    parse_errors = [e for e in errors if isinstance(e, StreamParseError)]
    assert len(parse_errors) == 2  # unknown type 99 is skipped silently, as the spec asks
    assert "not json" in str(parse_errors[0])


async def test_handler_exception_is_reported_and_stream_goes_on(
    hub: LoopbackHub, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[Any] = []
    errors: list[BaseException] = []

    def handler(x: int) -> None:
        if x == 1:
            raise RuntimeError("user bug")
        got.append(x)

    async with HubConnection(hub.url, **FAST) as conn:
        conn.add_error_listener(errors.append)
        conn.on("E", handler)
        with caplog.at_level(logging.ERROR, logger="specwire.signalr"):
            await hub.broadcast("E", 1)
            await hub.broadcast("E", 2)
            await until(lambda: got == [2])
    assert any(isinstance(e, RuntimeError) and str(e) == "user bug" for e in errors)
    assert "handler for 'E' raised" in caplog.text


async def test_client_pings_when_quiet_and_server_timeout_forces_reconnect(hub: LoopbackHub) -> None:
    errors: list[BaseException] = []
    async with HubConnection(hub.url, backoff=fast_backoff(), **FAST) as conn:
        conn.add_error_listener(errors.append)
        await until(lambda: hub.current.pings_received >= 2)
        hub.stalled = True  # the server goes silent: no pings, no answers
        await hub.wait_connections(2)
        hub.stalled = False
        await until(lambda: conn.connected)
    assert any("server timeout" in str(e) for e in errors)


async def test_server_pings_keep_a_quiet_connection_alive() -> None:
    async with (
        LoopbackHub(keepalive_interval=0.05) as hub,
        HubConnection(hub.url, **{**FAST, "server_timeout": 0.3}) as conn,
    ):
        await asyncio.sleep(0.8)
        assert conn.connect_count == 1
        assert conn.connected


async def test_subscriptions_restored_after_every_drop(hub: LoopbackHub) -> None:
    states: list[ConnectionState] = []
    async with HubConnection(hub.url, backoff=fast_backoff(), **FAST) as conn:
        conn.add_state_listener(lambda change: states.append(change.new))
        await conn.subscribe("SubscribeContractQuotes", "CON.F.US.EP.U25")
        await conn.subscribe("SubscribeContractTrades", "CON.F.US.EP.U25", confirm=False)
        await conn.subscribe("SubscribeContractQuotes", "CON.F.US.MNQ.U26")
        await conn.unsubscribe("SubscribeContractQuotes", "CON.F.US.MNQ.U26", via="UnsubscribeContractQuotes")
        await hub.current.wait_invoked("UnsubscribeContractQuotes")
        for n in (2, 3):
            await hub.current.drop_mid_frame()
            client = await hub.wait_connections(n)
            await client.wait_invoked("SubscribeContractTrades")
            assert client.invocations == [
                ("SubscribeContractQuotes", ["CON.F.US.EP.U25"], client.invocations[0][2]),
                ("SubscribeContractTrades", ["CON.F.US.EP.U25"], None),
            ]
            assert client.invocations[0][2] is not None  # confirmed subscriptions are invoked
    assert states.count(ConnectionState.CONNECTED) == 2
    assert states.count(ConnectionState.RECONNECTING) == 2
    assert states[-1] is ConnectionState.DISCONNECTED


async def test_token_asked_on_every_connect_and_renewed_once_on_401() -> None:
    class Session:
        def __init__(self) -> None:
            self.token = "expired-1"
            self.renewals: list[str] = []

        async def aget_token(self) -> str:
            return self.token

        async def arenew(self, stale: str) -> str:
            self.renewals.append(stale)
            self.token = f"fresh-{len(self.renewals)}"
            return self.token

    session = Session()
    async with LoopbackHub(expired_tokens={"expired-1"}) as hub:
        async with HubConnection(hub.url, access_token=session, backoff=fast_backoff(), **FAST) as conn:
            assert hub.rejected_tokens == ["expired-1"]
            assert hub.tokens_seen == ["fresh-1"]
            session.token = "renewed-while-connected"
            hub.current.drop()
            await hub.wait_connections(2)
            assert hub.tokens_seen[-1] == "renewed-while-connected"
            conn.update_token("manual-token")
            await conn.reconnect()
            await hub.wait_connections(3)
            assert hub.tokens_seen[-1] == "manual-token"
        assert session.renewals == ["expired-1"]
        assert "renewed-while-connected" not in repr(conn) and "fresh" not in repr(conn)


async def test_token_refused_after_renewal_fails_first_connect_without_looping() -> None:
    async def renew(stale: str) -> str:
        return "expired-2"

    class Session:
        async def aget_token(self) -> str:
            return "expired-1"

        arenew = staticmethod(renew)

    async with LoopbackHub(expired_tokens={"expired-1", "expired-2"}) as hub:
        conn = HubConnection(hub.url, access_token=Session(), **FAST)
        with pytest.raises(Exception, match="401"):
            await conn.start()
        assert hub.rejected_tokens == ["expired-1", "expired-2"]
        assert conn.state is ConnectionState.DISCONNECTED


async def test_close_message_allow_reconnect_true_reconnects(hub: LoopbackHub) -> None:
    async with HubConnection(hub.url, backoff=fast_backoff(), **FAST) as conn:
        await conn.subscribe("SubscribeAccounts")
        await hub.close_all("server restarting", allow_reconnect=True)
        client = await hub.wait_connections(2)
        await client.wait_invoked("SubscribeAccounts")
        assert conn.connected


async def test_close_message_without_allow_reconnect_ends_connection(hub: LoopbackHub) -> None:
    errors: list[BaseException] = []
    conn = HubConnection(hub.url, backoff=fast_backoff(), **FAST)
    conn.add_error_listener(errors.append)
    await conn.start()
    await hub.close_all("Unauthorized")
    await asyncio.wait_for(conn.wait_closed(), 3)
    assert conn.state is ConnectionState.DISCONNECTED
    assert isinstance(conn.terminal_error, HubClosedError)
    assert "Unauthorized" in str(conn.terminal_error)
    assert len(hub.clients) == 1
    await conn.stop()


async def test_pending_invoke_fails_when_socket_drops(hub: LoopbackHub) -> None:
    async def never(client: Any, args: list[Any]) -> None:
        client.drop()

    hub.methods["Slow"] = never
    async with HubConnection(hub.url, backoff=fast_backoff(), **FAST) as conn:
        with pytest.raises(HubConnectionLostError):
            await conn.invoke("Slow")


async def test_handshake_error_is_raised_on_start() -> None:
    async with LoopbackHub(handshake_error="Requested protocol 'json' is not available.") as hub:
        with pytest.raises(HandshakeError, match="not available"):
            await HubConnection(hub.url, **FAST).start()


async def test_reconnect_backs_off_while_server_is_gone(hub: LoopbackHub) -> None:
    delays: list[float] = []

    class RecordingBackoff(Backoff):
        def next_delay(self, floor: float = 0.0) -> float:
            delay = super().next_delay(floor)
            delays.append(delay)
            return delay

    backoff = RecordingBackoff(initial=0.01, maximum=0.04, jitter=False, max_attempts=4)
    backoff.attempts = 3  # as if earlier failures happened: a healthy connection must reset this
    conn = HubConnection(hub.url, backoff=backoff, **FAST)
    await conn.start()
    await hub.broadcast("Anything")
    await until(lambda: backoff.attempts == 0)
    await hub.stop()
    hub.current.drop()
    await asyncio.wait_for(conn.wait_closed(), 5)
    assert delays == [0.01, 0.02, 0.04, 0.04]
    assert conn.state is ConnectionState.DISCONNECTED
    await conn.stop()


async def test_negotiate_then_connect_with_connection_token(hub: LoopbackHub) -> None:
    hub.require_connection_id = True
    calls: list[httpx.Request] = []

    def negotiate(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        token = f"conn-token-{len(calls)}"
        hub.issued_connection_ids.add(token)
        return httpx.Response(
            200,
            json={
                "negotiateVersion": 1,
                "connectionId": "ignored",
                "connectionToken": token,
                "availableTransports": [{"transport": "WebSockets", "transferFormats": ["Text", "Binary"]}],
            },
        )

    client = httpx.AsyncClient(transport=httpx.MockTransport(negotiate))
    async with HubConnection(
        hub.url,
        access_token="jwt-abc",
        skip_negotiation=False,
        http_client=client,
        backoff=fast_backoff(),
        **FAST,
    ) as conn:
        hub.current.drop()
        await hub.wait_connections(2)
        await until(lambda: conn.connected)
    await client.aclose()
    assert len(calls) == 2  # negotiated again on reconnect, so a fresh connection token is used
    assert calls[0].url.path == "/hubs/market/negotiate"
    assert calls[0].url.params["negotiateVersion"] == "1"
    assert calls[0].headers["Authorization"] == "Bearer jwt-abc"
    assert hub.tokens_seen == ["jwt-abc", "jwt-abc"]


async def test_bad_configuration_is_rejected_before_connecting() -> None:
    with pytest.raises(ConfigurationError, match="ftp://"):
        HubConnection("ftp://example.invalid/hubs/market")
    with pytest.raises(ConfigurationError, match="1 MiB"):
        HubConnection("https://rtc.example.invalid/hubs/market", max_message_size=10_000)
    conn = HubConnection("https://rtc.example.invalid/hubs/market?access_token=secret-token-value")
    assert "secret-token-value" not in repr(conn)


def test_hub_message_builder_matches_wire_form() -> None:
    assert msgspec.json.decode(msgspec.json.encode(invocation("T", 1))) == {
        "type": 1,
        "target": "T",
        "arguments": [1],
    }


async def test_connect_errors_never_carry_the_token() -> None:
    errors: list[BaseException] = []
    conn = HubConnection("http://127.0.0.1:1/hubs/market", access_token="very-secret-token", **FAST)
    conn.add_error_listener(errors.append)
    with pytest.raises(OSError) as info:
        await conn.start()
    assert "very-secret-token" not in str(info.value)
    assert errors and all("very-secret-token" not in str(e) for e in errors)
