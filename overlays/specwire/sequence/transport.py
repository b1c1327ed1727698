"""The Sequence HTTP stack on ``specwire.core``: base and WebSocket URLs, timeouts, retry rules, error family.

Why here: both facades must build the same HTTP stack (bearer auth from :mod:`.auth`, the retry rules
below, typed ``SequenceError`` family) and derive the same WebSocket URLs, so the rules live once.

Retry rules: the official SDK retries every method on 429/502/503/504 and network errors — including
order submission, without an idempotency key, so a lost response can create a second order. Here reads
are retried as before, and ``POST /v1/orders`` only because every submission carries a client-generated
``graph_id`` (the service answers a duplicate with 409, which the client resolves to the original graph).
Other writes are never retried after the request may have reached the server.
"""

from __future__ import annotations

import json

import httpx

from specwire.core.errors import ConfigurationError
from specwire.core.http import HTTPConfig
from specwire.core.retry import RetryPolicy

from .auth import bearer_auth
from .errors import family

__all__ = [
    "DEFAULT_BASE_URL",
    "RETRY_STATUSES",
    "http_config",
    "is_idempotent",
    "normalize_base_url",
    "ws_url",
]

DEFAULT_BASE_URL = "https://api.sequencemkts.com"
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
# POST endpoints that only read (quotes, dry-run preview) and the overwrite-style credential PUT.
_READ_ONLY_POSTS = frozenset({"/v1/quotes_batch", "/v1/orders/preview"})


def normalize_base_url(base_url: str) -> str:
    """Strip every trailing ``/`` (as the official SDK does) and check it is an absolute http(s) URL."""
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string, got {type(base_url).__name__}")
    url = base_url.strip().rstrip("/")
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
    return url


def ws_url(base_url: str, path: str) -> str:
    """``https://host`` -> ``wss://host/path`` (``http`` -> ``ws``)."""
    if base_url.startswith("https://"):
        return "wss://" + base_url[len("https://") :] + path
    if base_url.startswith("http://"):
        return "ws://" + base_url[len("http://") :] + path
    raise ConfigurationError(f"cannot derive a WebSocket URL from {base_url!r}")


def _carries_graph_id(request: httpx.Request) -> bool:
    try:
        body = json.loads(request.content or b"null")
    except (ValueError, httpx.RequestNotRead):
        return False
    return isinstance(body, dict) and isinstance(body.get("graph_id"), str) and bool(body["graph_id"])


def is_idempotent(request: httpx.Request) -> bool:
    """Whether a non-GET request may be re-sent (see the module docstring)."""
    path = request.url.path
    if request.method == "POST" and path in _READ_ONLY_POSTS:
        return True
    if request.method == "PUT" and path.startswith("/v1/credentials/"):
        return True  # documented as an overwrite: repeating it stores the same credentials
    return request.method == "POST" and path == "/v1/orders" and _carries_graph_id(request)


def http_config(
    api_key: str,
    base_url: str,
    *,
    max_retries: int,
    timeout: float,
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    retry_policy: RetryPolicy | None,
) -> HTTPConfig:
    """The HTTP stack: bearer auth, the retry rules above, the ``SequenceError`` family."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
    policy = retry_policy or RetryPolicy(
        retry_statuses=RETRY_STATUSES,  # type: ignore[arg-type]  # attrs converter typing
        is_idempotent=is_idempotent,
    )
    return HTTPConfig(
        base_url=base_url,
        timeout=timeout,
        max_retries=max(0, max_retries),
        auth=bearer_auth(api_key),
        retry_policy=policy,
        error_family=family,
        transport=transport,
    )
