"""The bytes-level SSE decoder: WHATWG parsing, chunk boundaries anywhere, id/retry persistence."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from specwire.streaming.sse_decoder import ServerSentEvent, SSEDecoder

STREAM = (
    b"\xef\xbb\xbf"  # BOM at stream start
    b": heartbeat\r\n\r\n"
    b'id: 1\r\nevent: update\r\ndata: {"a":1}\r\n\r\n'
    b"data: line one\rdata: line two\r\r"  # bare CR line ends
    b"retry: 2500\nid: 2\n\n"  # id/retry only: recorded, not dispatched
    b"data:no-space\ndata:  two spaces\n\n"
    b"id: bad\x00id\ndata: x\n\n"  # id with NUL is ignored
    b"event: ping\ndata:\n\n"  # empty data: not dispatched
    b"data\n\n"  # field name only: empty data, not dispatched
    b"foo: bar\ndata: after-unknown-field\n\n"
    b"data: trailing-unterminated"  # discarded at EOF
)

EXPECTED = [
    ServerSentEvent(b'{"a":1}', "update", "1", None),
    ServerSentEvent(b"line one\nline two", "message", "1", None),
    ServerSentEvent(b"no-space\n two spaces", "message", "2", 2500),
    ServerSentEvent(b"x", "message", "2", 2500),
    ServerSentEvent(b"after-unknown-field", "message", "2", 2500),
]


def decode_chunks(chunks: list[bytes]) -> tuple[list[ServerSentEvent], SSEDecoder]:
    d = SSEDecoder()
    out: list[ServerSentEvent] = []
    for c in chunks:
        out.extend(d.feed(c))
    out.extend(d.close())
    return out, d


def test_whole_stream_gives_exactly_the_dispatched_events() -> None:
    events, d = decode_chunks([STREAM])
    assert events == EXPECTED
    assert d.last_event_id == "2"
    assert d.retry == 2500
    assert d.comments == 1


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_a_split_at_every_byte_gives_the_same_events(cut: int) -> None:
    events, _ = decode_chunks([STREAM[:cut], STREAM[cut:]])
    assert events == EXPECTED


def test_one_byte_chunks_give_the_same_events() -> None:
    events, _ = decode_chunks([STREAM[i : i + 1] for i in range(len(STREAM))])
    assert events == EXPECTED


def test_crlf_split_between_cr_and_lf_is_one_line_end() -> None:
    d = SSEDecoder()
    assert d.feed(b"data: a\r") == []
    # the LF completing the CRLF must not count as an empty line (which would dispatch early)
    assert d.feed(b"\ndata: b\r") == []
    assert d.feed(b"\n\r\n") == [ServerSentEvent(b"a\nb")]


def test_cr_then_cr_is_two_line_ends_and_dispatches() -> None:
    d = SSEDecoder()
    assert d.feed(b"data: a\r") == []
    assert d.feed(b"\r") == [ServerSentEvent(b"a")]


def test_bom_only_stripped_at_stream_start_even_when_split() -> None:
    d = SSEDecoder()
    assert d.feed(b"\xef") == []
    assert d.feed(b"\xbb") == []
    assert d.feed(b"\xbfdata: x\n\n") == [ServerSentEvent(b"x")]
    # a BOM later in the stream is ordinary data
    assert d.feed(b"data: \xef\xbb\xbfy\n\n") == [ServerSentEvent(b"\xef\xbb\xbfy")]


def test_id_persists_across_events_and_initial_values_are_kept() -> None:
    d = SSEDecoder(last_event_id="41", retry=1000)
    events = d.feed(b"data: a\n\nid: 42\ndata: b\n\ndata: c\n\n")
    assert [(e.id, e.retry) for e in events] == [("41", 1000), ("42", 1000), ("42", 1000)]


def test_empty_id_resets_last_event_id() -> None:
    d = SSEDecoder()
    events = d.feed(b"id: 5\ndata: a\n\nid\ndata: b\n\n")
    assert [e.id for e in events] == ["5", ""]


def test_invalid_retry_values_are_ignored() -> None:
    d = SSEDecoder()
    d.feed(b"retry: 100\n\nretry: 1.5\n\nretry: -3\n\nretry: abc\n\nretry:\n\n")
    assert d.retry == 100


def test_event_name_resets_after_each_dispatch() -> None:
    d = SSEDecoder()
    events = d.feed(b"event: a\ndata: 1\n\ndata: 2\n\nevent: skipped\n\ndata: 3\n\n")
    assert [e.event for e in events] == ["a", "message", "message"]


def test_unterminated_block_is_discarded_at_close() -> None:
    d = SSEDecoder()
    assert d.feed(b"data: complete\n\ndata: partial\n") == [ServerSentEvent(b"complete")]
    assert d.close() == []
    # a new block after close starts clean
    assert d.feed(b"data: next\n\n") == [ServerSentEvent(b"next")]


def test_data_decodes_straight_into_a_struct() -> None:
    class Quote(msgspec.Struct):
        bid: float
        ask: float

    (ev,) = SSEDecoder().feed(b'data: {"bid": 1.5, "ask": 2}\n\n')
    assert ev.json(Quote) == Quote(1.5, 2.0)
    assert ev.json() == {"bid": 1.5, "ask": 2}
    assert ev.text == '{"bid": 1.5, "ask": 2}'


# -- property: any events, any line ending, any chunking ---------------------------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=20
)
_event = st.tuples(
    st.lists(_text, min_size=1, max_size=3),  # data lines
    st.one_of(st.none(), _text.filter(lambda s: s.strip() == s and s != "")),  # event name
    st.one_of(st.none(), _text),  # id
)


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(_event, max_size=6),
    eol=st.sampled_from([b"\n", b"\r", b"\r\n"]),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
)
def test_round_trip_any_line_ending_any_chunking(
    events: list[tuple[list[str], str | None, str | None]], eol: bytes, cuts: list[int]
) -> None:
    wire = b""
    expected = []
    last_id = ""
    for data_lines, name, ev_id in events:
        block = []
        if name is not None:
            block.append(b"event: " + name.encode())
        if ev_id is not None:
            block.append(b"id: " + ev_id.encode())
            last_id = ev_id
        block += [b"data: " + line.encode() for line in data_lines]
        wire += eol.join(block) + eol + eol
        data = "\n".join(data_lines).encode()
        if data:
            expected.append(ServerSentEvent(data, name or "message", last_id, None))
    points = sorted({c % (len(wire) + 1) for c in cuts})
    chunks = [wire[a:b] for a, b in zip([0, *points], [*points, len(wire)], strict=True)]
    got, _ = decode_chunks(chunks)
    assert got == expected


def test_id_of_an_unfinished_block_is_not_the_last_event_id() -> None:
    d = SSEDecoder()
    assert [e.id for e in d.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n")] == ["1"]
    assert d.last_event_id == "1"  # block 2 has no blank line yet: it was not dispatched
    assert [e.id for e in d.feed(b"\n")] == ["2"]
    assert d.last_event_id == "2"
    d.feed(b"id: 3\ndata: c")
    d.close()  # the connection dropped mid-block
    assert d.last_event_id == "2"
    d.feed(b"id: 4\n\n")  # an id-only block still moves the resume point, as the spec says
    assert d.last_event_id == "4"
