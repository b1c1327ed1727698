"""How the Restless Stream API key is attached to requests.

One static key, no token session to renew; it travels differently by surface,
as in the official SDK:

* REST: ``x-api-key: <key>`` on every request, as an ``httpx.Auth`` flow
  (:class:`specwire.core.auth.APIKeyAuth`) on the client we build, so retried
  requests keep it and no log or repr shows it;
* a caller-supplied ``http_client``: the key is added to its default headers only
  when it has no ``x-api-key`` of its own (the SDK's rule: the caller's header wins);
* runtime (SSE and WebSocket): ``Authorization: Bearer <key>``, plus ``x-api-key``
  on SSE from our own stream client, as the official SDK sends.
"""

from __future__ import annotations

import httpx

from specwire.core.auth import APIKeyAuth
from specwire.core.errors import ConfigurationError

__all__ = ["add_api_key_header", "api_key_auth", "check_api_key", "runtime_headers"]

#: The REST header that carries the key.
API_KEY_HEADER = "x-api-key"


def check_api_key(api_key: object) -> None:
    """``None`` (no key) or a non-empty string; anything else is a :class:`ConfigurationError`."""
    if api_key is not None and (not isinstance(api_key, str) or not api_key.strip()):
        raise ConfigurationError("api_key must be a non-empty string or None")


def api_key_auth(api_key: str | None) -> APIKeyAuth | None:
    """The auth flow of the REST clients we build (``None`` without a key)."""
    return APIKeyAuth(api_key) if api_key else None


def add_api_key_header(http_client: httpx.Client | httpx.AsyncClient, api_key: str | None) -> None:
    """Give a caller-supplied client the key, unless it already sends an ``x-api-key``."""
    if api_key:
        http_client.headers.setdefault(API_KEY_HEADER, api_key)


def runtime_headers(api_key: str | None, *, include_api_key_header: bool) -> dict[str, str]:
    """Headers of SSE and WebSocket runtime requests (empty without a key)."""
    if not api_key:
        return {}
    headers = {"Authorization": f"Bearer {api_key}"}
    if include_api_key_header:
        headers[API_KEY_HEADER] = api_key
    return headers
