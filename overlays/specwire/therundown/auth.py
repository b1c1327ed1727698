"""How the TheRundown API key is found and attached: a header or the ``key`` query parameter.

The key comes from ``api_key=`` or ``THERUNDOWN_API_KEY``; it travels in the ``X-TheRundown-Key`` header by
default (the docs' advice for server-side code) or in the ``key`` query parameter (``auth="query"``). REST
requests get it from an ``httpx.Auth`` in the transport, so generated and retried requests carry it too; the
WebSocket asks for it on every (re)connect and sends it the same two ways (``key_in=``). There is no token
session: the key itself is the credential, so nothing is renewed. It is kept as a
:class:`~specwire.core.redact.Secret` and registered for redaction, so no log line, repr or error shows it.
"""

from __future__ import annotations

import os
from typing import Literal

import httpx

from specwire.core.auth import APIKeyAuth, APIKeyQueryAuth
from specwire.core.errors import ConfigurationError
from specwire.core.redact import Secret, register_secret

__all__ = ["ENV_KEY", "KEY_HEADER", "KEY_PARAM", "AuthIn", "check_auth_in", "http_auth", "resolve_key"]

KEY_HEADER = "X-TheRundown-Key"
KEY_PARAM = "key"
ENV_KEY = "THERUNDOWN_API_KEY"

AuthIn = Literal["header", "query"]


def resolve_key(api_key: str | None) -> Secret | None:
    """``api_key``, else ``THERUNDOWN_API_KEY``, checked and registered for redaction; ``None`` if neither."""
    key = api_key if api_key is not None else os.environ.get(ENV_KEY)
    if key is not None:
        if not isinstance(key, str) or not key.strip():
            raise ConfigurationError("api_key must be a non-empty string")
        register_secret(key)
    return Secret(key) if key else None


def check_auth_in(auth: object) -> AuthIn:
    if auth not in ("header", "query"):
        raise ConfigurationError(f"auth must be 'header' or 'query', got {auth!r}")
    return auth  # type: ignore[return-value]


def http_auth(key: Secret | None, auth: AuthIn) -> httpx.Auth | None:
    """The ``httpx.Auth`` of the REST clients (``None`` without a key: public endpoints still work)."""
    if key is None:
        return None
    return APIKeyAuth(key, header=KEY_HEADER) if auth == "header" else APIKeyQueryAuth(key, KEY_PARAM)
