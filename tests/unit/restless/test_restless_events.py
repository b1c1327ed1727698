"""Event processing: typed decode, cursor rule, exactly-once, signatures, malformed frames."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from specwire.restless import (
    PARSE_ERROR_CODE,
    SIGNATURE_MISMATCH_CODE,
    RestlessStreamParseError,
    StreamEvent,
    StreamEventType,
    timestamp_to_unix_ms,
)
from specwire.restless.streams.events import EventProcessor, decode_event
from specwire.signing import compute_hmac

README_EVENT = {
    "type": "update",
    "meta": {
        "timestamp": "2026-06-07T00:49:36.562+00:00",
        "attemptId": "a59d80d4-7d36-4019-b2c6-40cc8b8742ce",
        "status": 200,
        "latencyMs": 43,
        "payloadModeFallback": None,
    },
    "data": {
        "args": {},
        "headers": {"Accept": "*/*", "Host": "httpbin.org"},
        "origin": "140.82.14.127",
        "url": "https://httpbin.org/get",
    },
    "error": None,
    "signature": None,
    "eventId": "1780793376562",
}


def frame(obj: Any) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("ts", "ms"),
    [
        ("2026-06-07T00:49:36.562+00:00", "1780793376562"),
        ("2026-01-01T00:00:05.250+00:00", "1767225605250"),
        ("2026-01-01T00:00:00Z", "1767225600000"),
        ("2026-01-01T00:00:00", "1767225600000"),  # no offset: UTC
        ("2026-01-01T01:00:00.9999+01:00", "1767225600999"),  # truncated, offset applied
        ("not a time", None),
        ("", None),
    ],
)
def test_timestamp_to_unix_ms(ts: str, ms: str | None) -> None:
    assert timestamp_to_unix_ms(ts) == ms


def test_readme_sample_decodes_to_the_typed_model() -> None:
    ev = decode_event(frame(README_EVENT))
    assert isinstance(ev, StreamEvent) and ev.type is StreamEventType.UPDATE
    assert ev.meta.attempt_id == "a59d80d4-7d36-4019-b2c6-40cc8b8742ce"
    assert ev.meta.status == 200 and ev.meta.latency_ms == 43 and ev.meta.payload_mode_fallback is None
    assert ev.data["headers"]["Host"] == "httpbin.org"
    assert ev.error is None and ev.signature is None and ev.event_id == "1780793376562"


def test_tolerant_forms_are_accepted() -> None:
    ev = decode_event(
        frame({**README_EVENT, "eventId": 17, "meta": {"timestamp": "t", "latencyMs": 43.5}, "extra": 1})
    )
    assert ev.event_id == 17 and ev.meta.latency_ms == 43.5


@pytest.mark.parametrize(
    "bad",
    [
        b"{",
        b"[]",
        frame({"type": "update"}),
        frame({"type": "error", "meta": {"timestamp": 1}}),
        frame({"type": "error", "meta": {"timestamp": "t"}, "error": {"code": "X"}}),
    ],
)
def test_invalid_frames_raise_parse_errors_naming_the_frame(bad: bytes) -> None:
    with pytest.raises(RestlessStreamParseError, match="invalid runtime event"):
        decode_event(bad)


def test_cursor_rule_id_then_timestamp_then_unchanged() -> None:
    proc = EventProcessor(cursor="start")
    proc.process(frame({**README_EVENT, "eventId": None}), sse_id="sse-7")
    assert proc.cursor == "sse-7"
    proc.process(frame(README_EVENT))
    assert proc.cursor == "1780793376562"
    proc.process(
        frame(
            {
                "type": "error",
                "meta": {"timestamp": "2026-01-01T00:00:05.250+00:00"},
                "error": {"code": "c", "message": "m"},
            }
        )
    )
    assert proc.cursor == "1767225605250"
    proc.process(frame({"type": "error", "meta": {"timestamp": "garbage"}}))
    assert proc.cursor == "1767225605250"
    proc.process(b"not json")  # a malformed frame never moves the cursor
    assert proc.cursor == "1767225605250"


def test_duplicates_are_skipped_but_distinct_events_sharing_a_persisted_id_are_not() -> None:
    proc = EventProcessor()
    first = proc.process(frame(README_EVENT))
    assert first is not None
    assert proc.process(frame(README_EVENT)) is None  # replayed after a reconnect
    later = {**README_EVENT, "meta": {**README_EVENT["meta"], "timestamp": "2026-06-07T00:49:37.000+00:00"}}
    assert proc.process(frame(later), sse_id="1780793376562") is not None
    assert (proc.delivered, proc.duplicates) == (2, 1)


def test_parse_errors_become_error_events_unless_asked_to_raise() -> None:
    ev = EventProcessor().process(b'{"type":"heartbeat"}')
    assert ev is not None and ev.type is StreamEventType.ERROR
    assert ev.error is not None and ev.error.code == PARSE_ERROR_CODE and "heartbeat" in ev.error.message
    with pytest.raises(RestlessStreamParseError):
        EventProcessor(raise_parse_errors=True).process(b'{"type":"heartbeat"}')


def test_signature_modes() -> None:
    secret = "whsec_test_123"
    data = {"zeta": 1, "alpha": {"y": [3, 2, 1], "b": "héllo ✓"}, "m": None, "t": True, "f": 1.5}
    signed = {
        **README_EVENT,
        "data": data,
        "signature": "3286f6ccf09a55c35483341af205d56e45d826516682fac92e57e12cb5402f70",
    }
    ok = EventProcessor(verify_signatures=secret).process(frame(signed))
    assert ok is not None and ok.type is StreamEventType.UPDATE
    # 1.5 → 1.50 would still be 1.5, but 1 → 1.0 changes the canonical bytes: int/float is kept
    as_float = {**signed, "data": {**data, "zeta": 1.0}}
    bad = EventProcessor(verify_signatures=secret).process(frame(as_float))
    assert bad is not None and bad.type is StreamEventType.ERROR
    assert bad.error is not None and bad.error.code == SIGNATURE_MISMATCH_CODE
    assert bad.data == as_float["data"] and bad.signature == signed["signature"]

    whole = {k: v for k, v in README_EVENT.items() if k != "signature"}
    by_event = {**whole, "signature": compute_hmac("k", whole)}
    assert (
        EventProcessor(verify_signatures="k", signed_payload="event").process(frame(by_event)).type
        == "update"
    )  # type: ignore[union-attr]
    custom = EventProcessor(verify_signatures="k", signed_payload=lambda raw: raw["meta"]["attemptId"])
    signed_attempt = {**README_EVENT, "signature": compute_hmac("k", README_EVENT["meta"]["attemptId"])}
    assert custom.process(frame(signed_attempt)).type == "update"  # type: ignore[union-attr]
    # error events are not signature-checked
    err = EventProcessor(verify_signatures="k").process(frame({"type": "error", "meta": {"timestamp": "t"}}))
    assert err is not None and err.error is msgspec.UNSET


def test_bad_processor_options_are_named() -> None:
    with pytest.raises(TypeError, match="verify_signatures must be the signing secret"):
        EventProcessor(verify_signatures=123)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="signed_payload must be"):
        EventProcessor(signed_payload="body")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cursor must be a string"):
        EventProcessor(cursor=5)  # type: ignore[arg-type]


def test_secret_is_not_in_the_processor_repr() -> None:
    proc = EventProcessor(verify_signatures="very-secret-value")
    assert "very-secret-value" not in repr(proc)


def test_official_hmac_helper_names() -> None:
    from specwire.restless import compute_hmac_signature, verify_hmac_signature

    payload = {"id": "order_123", "total": 42}
    signature = compute_hmac_signature("secret", payload)
    assert signature == "0e8d5075fec7809ec154d186f8b561bfd9f984bb8f9732c2784425d2f4987f8b"
    assert verify_hmac_signature("secret", {"total": 42, "id": "order_123"}, signature)
    assert not verify_hmac_signature("secret", payload, signature.upper())
    assert not verify_hmac_signature("secret", {"id": "order_123", "total": 42.0}, signature)
