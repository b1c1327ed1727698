"""Canonical JSON: the exact bytes a JSON value is signed as.

Two parties can only agree on an HMAC if they serialise the payload to the
same bytes. The form used here is the one Python's standard encoder gives with
sorted keys, the most compact separators and raw (non-ASCII-escaped) UTF-8:

* object keys sorted recursively by code point, no whitespace between tokens;
* ints exact at any size, floats as ``repr`` (``1.0`` stays ``1.0``), so a
  payload must be decoded with its int/float distinction intact before it is
  re-canonicalised (``json`` and ``msgspec`` both keep it);
* strings with only ``"``, ``\\`` and control characters escaped.

It is the stdlib encoder on purpose: it is what the signers we interoperate
with use, and any hand-written variant would drift on float or escape edge cases.
"""

from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=True,
)


def canonical_json(payload: Any) -> bytes:
    """Return the canonical UTF-8 bytes of a JSON-compatible value.

    Raises ``TypeError`` naming the offending type when the value is not
    JSON-serialisable (or mixes key types that cannot be sorted).
    """
    try:
        text = _ENCODER.encode(payload)
    except TypeError as exc:
        raise TypeError(f"payload is not canonical-JSON serialisable: {exc}") from exc
    return text.encode("utf-8")
