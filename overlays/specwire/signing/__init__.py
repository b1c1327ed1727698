"""HMAC helpers shared by providers that sign payloads or events.

Canonical JSON (:func:`canonical_json`) fixes the byte form that both sides hash;
:func:`compute_hmac` / :func:`verify_hmac` sign and check raw bytes or JSON values.
"""

from specwire.signing.canonical import canonical_json
from specwire.signing.hmac_signature import compute_hmac, hmac_digest, verify_hmac

__all__ = ["canonical_json", "compute_hmac", "hmac_digest", "verify_hmac"]
