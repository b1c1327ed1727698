"""HMAC compute/verify over bytes or canonical JSON, with constant-time checks.

Providers differ in digest (SHA-256 almost always) and output form (lower-case
hex, base64). Both are parameters, so each provider states its choice once and
the comparison logic lives in one place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Literal

from specwire.signing.canonical import canonical_json

Encoding = Literal["hex", "base64"]


def _key_bytes(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        return secret
    if isinstance(secret, str):
        return secret.encode("utf-8")
    raise TypeError(f"secret must be str or bytes, got {type(secret).__name__}")


def hmac_digest(
    secret: str | bytes,
    message: bytes,
    *,
    digest: str = "sha256",
    encoding: Encoding = "hex",
) -> str:
    """HMAC of raw ``message`` bytes, as lower-case hex or standard base64."""
    if not isinstance(message, bytes | bytearray | memoryview):
        raise TypeError(f"message must be bytes, got {type(message).__name__}")
    if digest not in hashlib.algorithms_available:
        raise ValueError(f"unknown digest {digest!r}")
    mac = hmac.new(_key_bytes(secret), bytes(message), digest).digest()
    if encoding == "hex":
        return mac.hex()
    if encoding == "base64":
        return base64.b64encode(mac).decode("ascii")
    raise ValueError(f"encoding must be 'hex' or 'base64', got {encoding!r}")


def compute_hmac(
    secret: str | bytes,
    payload: Any,
    *,
    digest: str = "sha256",
    encoding: Encoding = "hex",
) -> str:
    """HMAC of a JSON value's canonical bytes (see :func:`canonical_json`)."""
    return hmac_digest(secret, canonical_json(payload), digest=digest, encoding=encoding)


def verify_hmac(
    secret: str | bytes,
    payload: Any,
    signature: str | None,
    *,
    digest: str = "sha256",
    encoding: Encoding = "hex",
) -> bool:
    """True when ``signature`` is exactly the HMAC of ``payload`` (constant-time, case-sensitive).

    A missing or non-string signature is simply not valid; it never raises.
    """
    if not isinstance(signature, str) or not signature:
        return False
    expected = compute_hmac(secret, payload, digest=digest, encoding=encoding)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "surrogatepass"))
