"""TheRundown's error family: ``except TheRundownError`` and ``except NotFoundError`` both work.

429s come in three kinds that need opposite handling, told apart by the body's ``error`` text:
``burst`` (the per-second throttle; a short ``Retry-After``, worth one more try), and ``daily_quota`` /
``monthly_quota`` (the data-point allowance is spent; retrying only burns time). Every rate-limit error
carries ``kind`` so callers can tell them apart too.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from specwire.core.errors import ErrorFamily, RateLimitError

__all__ = [
    "RateLimitKind",
    "TheRundownAPIStatusError",
    "TheRundownAuthenticationError",
    "TheRundownBadRequestError",
    "TheRundownConnectionError",
    "TheRundownError",
    "TheRundownNotFoundError",
    "TheRundownPermissionDeniedError",
    "TheRundownRateLimitError",
    "TheRundownServerError",
    "TheRundownTimeoutError",
    "classify_rate_limit",
    "error_text",
    "family",
    "is_stale_cursor",
]


class RateLimitKind(enum.StrEnum):
    BURST = "burst"
    DAILY_QUOTA = "daily_quota"
    MONTHLY_QUOTA = "monthly_quota"
    UNKNOWN = "unknown"

    @property
    def is_quota(self) -> bool:
        return self in (RateLimitKind.DAILY_QUOTA, RateLimitKind.MONTHLY_QUOTA)


def error_text(body: Any) -> str:
    """The ``error`` (or ``message``) string of an error body given as bytes, text or decoded JSON."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return body
    if isinstance(body, dict):
        for key in ("error", "message"):
            value = body.get(key)
            if isinstance(value, str):
                return value
    return ""


def classify_rate_limit(body: Any) -> RateLimitKind:
    text = error_text(body).lower()
    if "daily" in text and "limit" in text:
        return RateLimitKind.DAILY_QUOTA
    if "monthly" in text and "limit" in text:
        return RateLimitKind.MONTHLY_QUOTA
    if "rate limit" in text:
        return RateLimitKind.BURST
    return RateLimitKind.UNKNOWN


def is_stale_cursor(body: Any) -> bool:
    """True for the delta feeds' "re-bootstrap" 400s (stale, unknown, or too many events since the cursor)."""
    text = error_text(body).lower()
    return "last_id" in text and any(w in text for w in ("stale", "not found", "re-bootstrap", "too many"))


class TheRundownError(Exception):
    """Base of every error raised for a TheRundown request."""

    def _specwire_init(self) -> None:
        if isinstance(self, RateLimitError):
            self.kind = classify_rate_limit(self.body)


family = ErrorFamily.derive(TheRundownError, prefix="TheRundown", module=__name__)

TheRundownAPIStatusError = family.APIStatusError
TheRundownBadRequestError = family.BadRequestError
TheRundownAuthenticationError = family.AuthenticationError
TheRundownPermissionDeniedError = family.PermissionDeniedError
TheRundownNotFoundError = family.NotFoundError
TheRundownRateLimitError = family.RateLimitError
TheRundownServerError = family.ServerError
TheRundownConnectionError = family.APIConnectionError
TheRundownTimeoutError = family.APITimeoutError
