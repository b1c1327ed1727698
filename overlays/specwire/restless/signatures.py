"""``compute_hmac_signature`` / ``verify_hmac_signature``: the official SDK's helpers, on :mod:`specwire.signing`.

HMAC-SHA256 over canonical JSON (sorted keys, compact, raw UTF-8), lower-case
hex without prefix; verification is constant-time and case-sensitive.
"""

from __future__ import annotations

from typing import Any

from specwire.signing import compute_hmac, verify_hmac

__all__ = ["compute_hmac_signature", "verify_hmac_signature"]


def compute_hmac_signature(secret: str, payload: Any) -> str:
    """Lower-case hex HMAC-SHA256 of ``payload``'s canonical JSON, keyed by ``secret`` (UTF-8)."""
    return compute_hmac(secret, payload)


def verify_hmac_signature(secret: str, payload: Any, signature: str) -> bool:
    """True when ``signature`` is exactly :func:`compute_hmac_signature` of ``payload``."""
    return verify_hmac(secret, payload, signature)
