"""Event builders shared by the Restless stream tests (recorded-event shapes from reference §5)."""

from __future__ import annotations

from typing import Any

from specwire.signing import compute_hmac

API_KEY = "rs_" + "0123456789abcdef" * 4
BASE_MS = 1767225600000  # 2026-01-01T00:00:00Z


def update(n: int, *, with_id: bool = True, secret: str | None = None, **extra: Any) -> dict[str, Any]:
    """An ``update`` event as the server sends it (wire form of the README sample)."""
    data = {"n": n, "price": 1.0 + n / 4, "big": 12345678901234567890}
    event: dict[str, Any] = {
        "type": "update",
        "meta": {
            "timestamp": f"2026-01-01T00:00:{n:02d}.000+00:00",
            "attemptId": f"attempt-{n}",
            "status": 200,
            "latencyMs": 12,
            "payloadModeFallback": None,
        },
        "data": data,
        "error": None,
        "signature": compute_hmac(secret, data) if secret else None,
    }
    if with_id:
        event["eventId"] = str(BASE_MS + n * 1000)
    event.update(extra)
    return event


def error_event(n: int) -> dict[str, Any]:
    """An in-stream ``error`` event (no id: the cursor advances from its timestamp)."""
    return {
        "type": "error",
        "meta": {"timestamp": f"2026-01-01T00:00:{n:02d}.250+00:00"},
        "error": {"code": "UPSTREAM_TIMEOUT", "message": "timed out"},
    }


def event_id(n: int) -> str:
    return str(BASE_MS + n * 1000)


def json_event_id(ev: Any) -> str | None:
    """``cursor_key`` for the SSE test server: the JSON ``eventId`` of a logged event."""
    data = ev.data
    return data.get("eventId") if isinstance(data, dict) else None
