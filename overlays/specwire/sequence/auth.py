"""How the Sequence API key is attached: ``Authorization: Bearer <key>`` on every request and handshake.

Why one place: REST calls (an ``httpx.Auth`` in the transport, so generated and retried requests carry the
key too) and WebSocket handshakes (headers asked for on every (re)connect) must send the key the same
way. There is no token session: the key itself is the credential, so nothing is renewed. The facades keep
the key as a :class:`~specwire.core.redact.Secret`, so no ``repr`` shows it.
"""

from __future__ import annotations

from specwire.core.auth import APIKeyAuth
from specwire.core.errors import ConfigurationError
from specwire.core.redact import Secret

__all__ = ["bearer_auth", "check_api_key", "ws_headers"]


def check_api_key(api_key: object) -> str:
    """The key as given; a ``ConfigurationError`` (before anything is built) if it is not a usable string."""
    if not isinstance(api_key, str) or not api_key.strip():
        raise ConfigurationError("api_key must be a non-empty string (seq_live_... or seq_test_...)")
    return api_key


def bearer_auth(api_key: str) -> APIKeyAuth:
    """The ``httpx.Auth`` of the REST clients: ``Authorization: Bearer <key>`` on every request."""
    return APIKeyAuth(api_key, header="Authorization", prefix="Bearer ")


def ws_headers(key: Secret) -> dict[str, str]:
    """The WebSocket handshake headers (built on every (re)connect)."""
    return {"Authorization": f"Bearer {key.get()}"}
