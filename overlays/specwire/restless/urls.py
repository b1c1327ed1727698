"""Runtime URL builders: where SSE and WebSocket subscriptions connect.

They reproduce the official SDK's URLs byte for byte (the reference's examples
are our test vectors): the SSE endpoint is ``GET /`` on the stream host, the
WebSocket endpoint is ``/ws``, and everything else is query parameters. Unlike
the SDK, an unknown ``method`` or ``payload_mode`` is rejected here, before a
URL exists, instead of being forwarded to the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from specwire.restless.enum_checks import check_http_method, check_payload_mode

__all__ = [
    "DEFAULT_STREAM_BASE_URL",
    "build_direct_sse_url",
    "build_direct_websocket_url",
    "build_sse_url",
    "build_websocket_url",
    "to_websocket_url",
]

DEFAULT_STREAM_BASE_URL = "https://stream.restlessapi.stream"


def _base(stream_base_url: str) -> str:
    if not isinstance(stream_base_url, str) or not stream_base_url.strip():
        raise ValueError(f"stream_base_url must be a non-empty URL string, got {stream_base_url!r}")
    return stream_base_url.rstrip("/")


def _with_query(base: str, params: list[tuple[str, str]]) -> str:
    return str(httpx.URL(base, params=params)) if params else str(httpx.URL(base))


def _opt_str(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    return str(value)


def build_sse_url(
    *,
    stream_id: str | None = None,
    session_id: str | None = None,
    cursor: str | None = None,
    since: str | None = None,
    stream_base_url: str = DEFAULT_STREAM_BASE_URL,
) -> str:
    """SSE URL of a managed stream (``stream_id``) or a direct session (``session_id``).

    Exactly one of the two must be given. ``cursor`` resumes after that event
    id; ``since`` is the start point while there is no cursor.
    """
    if bool(stream_id) == bool(session_id):
        raise ValueError(
            "provide exactly one of stream_id or session_id "
            f"(got stream_id={stream_id!r}, session_id={session_id!r})"
        )
    params: list[tuple[str, str]] = []
    for key, name, value in (
        ("streamId", "stream_id", stream_id),
        ("sessionId", "session_id", session_id),
        ("cursor", "cursor", cursor),
        ("since", "since", since),
    ):
        text = _opt_str(name, value)
        if text is not None:
            params.append((key, text))
    return _with_query(_base(stream_base_url), params)


def build_websocket_url(
    *,
    stream_id: str | None = None,
    session_id: str | None = None,
    cursor: str | None = None,
    since: str | None = None,
    stream_base_url: str = DEFAULT_STREAM_BASE_URL,
) -> str:
    """WebSocket twin of :func:`build_sse_url` (``wss://…/ws?…``)."""
    return to_websocket_url(
        build_sse_url(
            stream_id=stream_id,
            session_id=session_id,
            cursor=cursor,
            since=since,
            stream_base_url=stream_base_url,
        )
    )


def _compact_json(name: str, value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be JSON-serialisable: {exc}") from exc


def build_direct_sse_url(
    *,
    url: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: Any = None,
    jq_filter: str | None = None,
    payload_mode: str | None = None,
    polling_interval: int | None = None,
    polling_strategies: Sequence[Mapping[str, Any]] | None = None,
    api_key: str | None = None,
    stream_base_url: str = DEFAULT_STREAM_BASE_URL,
    cursor: str | None = None,
    since: str | None = None,
) -> str:
    """SSE URL of a direct stream: the upstream request travels in the query string.

    ``headers``, ``body`` and ``polling_strategies`` are sent as compact JSON,
    exactly as given (keys not sorted, not renamed); the jq expression travels as
    ``jq``. ``method`` ``GET`` and ``payload_mode`` ``FULL_DATA`` are the server's
    defaults and are left out. ``api_key`` puts the key in the URL (``apiKey``):
    such a URL is a credential — prefer the ``Authorization`` header the clients send.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"url must be a non-empty upstream URL, got {url!r}")
    params: list[tuple[str, str]] = [("url", url)]
    cursor_text = _opt_str("cursor", cursor)
    if cursor_text is not None:
        params.append(("cursor", cursor_text))
    since_text = _opt_str("since", since)
    if since_text is not None:
        params.append(("since", since_text))
    method_value = check_http_method(method.strip() if isinstance(method, str) else method, "method")
    if method_value and method_value != "GET":
        params.append(("method", method_value))
    if headers:
        if not isinstance(headers, Mapping):
            raise TypeError(f"headers must be a mapping, got {type(headers).__name__}")
        params.append(("headers", _compact_json("headers", dict(headers))))
    if body:
        params.append(("body", _compact_json("body", body)))
    if jq_filter:
        params.append(("jq", str(jq_filter)))
    mode = check_payload_mode(payload_mode, "payload_mode")
    if mode and mode != "FULL_DATA":
        params.append(("payloadMode", mode))
    if polling_interval:
        try:
            interval = int(polling_interval)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"polling_interval must be an integer, got {polling_interval!r}") from exc
        params.append(("pollingInterval", str(interval)))
    if polling_strategies:
        params.append(("pollingStrategies", _compact_json("polling_strategies", list(polling_strategies))))
    if api_key:
        params.append(("apiKey", str(api_key)))
    return _with_query(_base(stream_base_url), params)


def build_direct_websocket_url(**kwargs: Any) -> str:
    """WebSocket twin of :func:`build_direct_sse_url` (same keyword arguments)."""
    return to_websocket_url(build_direct_sse_url(**kwargs))


def to_websocket_url(sse_url: str) -> str:
    """Turn an SSE runtime URL into its WebSocket URL.

    ``https`` → ``wss``; ``ws``/``wss`` kept; any other scheme → ``ws``. The
    path loses its trailing ``/`` and gains ``/ws`` unless it already ends with
    it. Host, port and query are kept.
    """
    parsed = httpx.URL(str(sse_url))
    scheme = parsed.scheme
    if scheme not in ("ws", "wss"):
        scheme = "wss" if scheme == "https" else "ws"
    path = parsed.path.rstrip("/")
    if not path.endswith("/ws"):
        path = f"{path}/ws"
    return str(parsed.copy_with(scheme=scheme, path=path))
