"""The SignalR JSON hub protocol codec: framing, handshake, message types."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from specwire.core.errors import StreamParseError
from specwire.streaming.signalr import protocol as p

RECORDS = [
    b'{"type":1,"target":"GatewayQuote","arguments":["CON.F.US.EP.U25",{"lastPrice":1.5}]}',
    b'{"type":6}',
    b'{"type":3,"invocationId":"7","result":{"ok":[1,2]}}',
    b'{"type":7,"error":"bye","allowReconnect":true}',
]


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_records_survive_any_split_into_frames(cuts: list[int]) -> None:
    stream = b"".join(r + p.RS for r in RECORDS)
    points = sorted({min(c, len(stream)) for c in cuts})
    frames = [stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)]
    buffer = p.RecordBuffer()
    got = [record for frame in frames for record in buffer.feed(frame)]
    assert got == RECORDS
    assert buffer.pending == 0


def test_text_frames_and_empty_records() -> None:
    buffer = p.RecordBuffer()
    assert list(buffer.feed('{"type":6}\x1e\x1e{"type":6}\x1e')) == [b'{"type":6}', b'{"type":6}']


def test_runaway_record_without_separator_is_refused() -> None:
    buffer = p.RecordBuffer(max_size=1024)
    with pytest.raises(StreamParseError, match="1024"):
        list(buffer.feed(b"x" * 2000))


def test_decode_each_message_type() -> None:
    inv = p.decode_message(RECORDS[0])
    assert isinstance(inv, p.IncomingInvocation) and inv.target == "GatewayQuote"
    assert [msgspec.json.decode(a) for a in inv.arguments] == ["CON.F.US.EP.U25", {"lastPrice": 1.5}]
    assert isinstance(p.decode_message(RECORDS[1]), p.Ping)
    done = p.decode_message(RECORDS[2])
    assert isinstance(done, p.IncomingCompletion) and msgspec.json.decode(done.result) == {"ok": [1, 2]}
    failed = p.decode_message(b'{"type":3,"invocationId":"8","error":"Method does not exist"}')
    assert isinstance(failed, p.IncomingCompletion) and failed.error == "Method does not exist"
    close = p.decode_message(RECORDS[3])
    assert close == p.Close(error="bye", allow_reconnect=True)
    assert p.decode_message(b'{"type":7}') == p.Close()  # allowReconnect defaults to false
    item = p.decode_message(b'{"type":2,"invocationId":"1","item":[1]}')
    assert isinstance(item, p.IncomingStreamItem) and msgspec.json.decode(item.item) == [1]
    stream = p.decode_message(b'{"type":4,"invocationId":"2","target":"Count","arguments":[3]}')
    assert isinstance(stream, p.IncomingStreamInvocation) and stream.target == "Count"
    assert p.decode_message(b'{"type":5,"invocationId":"2"}') == p.CancelInvocation(invocation_id="2")
    # Stateful-reconnect and future types are skipped, not errors.
    assert p.decode_message(b'{"type":8,"sequenceId":3}') is None


@pytest.mark.parametrize(
    "record",
    [b"{nope", b'{"type":1}', b'{"type":3}', b'["type",1]', b'{"type":"1","target":"x","arguments":[]}'],
)
def test_malformed_records_raise_a_parse_error_naming_them(record: bytes) -> None:
    with pytest.raises(StreamParseError) as info:
        p.decode_message(record)
    assert repr(record)[2:12] in str(info.value)


def test_encode_outgoing_messages() -> None:
    assert p.encode_handshake_request() == b'{"protocol":"json","version":1}\x1e'
    assert p.encode_ping() == b'{"type":6}\x1e'
    assert p.encode_message(p.Invocation(target="SubscribeAccounts", arguments=[])) == (
        b'{"type":1,"target":"SubscribeAccounts","arguments":[]}\x1e'
    )
    assert p.encode_message(p.Invocation(target="SubscribeOrders", arguments=[123], invocation_id="4")) == (
        b'{"type":1,"target":"SubscribeOrders","arguments":[123],"invocationId":"4"}\x1e'
    )
    assert p.encode_message(p.CancelInvocation(invocation_id="9")) == b'{"type":5,"invocationId":"9"}\x1e'


def test_handshake_response() -> None:
    assert p.decode_handshake_response(b"{}").error is None
    assert p.decode_handshake_response(b'{"error":"Requested protocol is not available"}').error
    with pytest.raises(StreamParseError, match="handshake"):
        p.decode_handshake_response(b"HTTP/1.1 500")
