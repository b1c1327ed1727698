"""Restless Stream exceptions, under the names the official SDK uses.

``RestlessStreamAPIError(status_code, message)`` is the base of every REST
failure. The typed core errors are derived under it once (:data:`family`), so a
404 is both a :class:`RestlessStreamAPIError` and a
:class:`specwire.core.errors.NotFoundError`, and ported ``except`` clauses keep
working next to ``except NotFoundError``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from specwire.core.errors import APIConnectionError, APIError, ErrorFamily, SpecwireError, StreamParseError

__all__ = [
    "RestlessAuthenticationError",
    "RestlessBadRequestError",
    "RestlessConflictError",
    "RestlessConnectionError",
    "RestlessNotFoundError",
    "RestlessPermissionDeniedError",
    "RestlessRateLimitError",
    "RestlessServerError",
    "RestlessStatusError",
    "RestlessStreamAPIError",
    "RestlessStreamError",
    "RestlessStreamParseError",
    "RestlessTimeoutError",
    "RestlessUnprocessableEntityError",
    "family",
    "restless_error_message",
]

_MAX_TEXT = 500


class RestlessStreamError(SpecwireError):
    """Base of every Restless Stream error."""


class RestlessStreamAPIError(RestlessStreamError, APIError):
    """A REST call failed: ``status_code`` (``None`` when no response arrived) and ``message``.

    ``str()`` is ``Restless Stream API error <status>: <message>`` as in the
    official SDK; ``body``, ``method`` and ``url`` are kept as well (redacted).
    """

    def __init__(self, status_code: int | None, message: str, **kwargs: Any) -> None:
        APIError.__init__(self, message, status_code=status_code, **kwargs)

    def __str__(self) -> str:
        if isinstance(self, APIConnectionError):
            return f"Restless Stream connection error: {self.message}{self._where()}"
        if self.status_code is None:
            return f"Restless Stream API error: {self.message}"
        return f"Restless Stream API error {self.status_code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, message={self.message!r})"


class RestlessStreamParseError(RestlessStreamError, StreamParseError):
    """A runtime event could not be decoded (bad JSON, wrong shape, unknown ``type``)."""


def restless_error_message(response: httpx.Response) -> str:
    """The message the way the official SDK reads it.

    JSON object: its ``message`` (the whole object as text when absent); other
    JSON: that value as text; not JSON: the raw body text.
    """
    try:
        text = response.text
    except httpx.ResponseNotRead:
        return response.reason_phrase or f"HTTP {response.status_code}"
    try:
        data = json.loads(text)
    except ValueError:
        return text[:_MAX_TEXT] if text else (response.reason_phrase or f"HTTP {response.status_code}")
    if isinstance(data, dict):
        if "message" in data:
            return str(data["message"])
        return json.dumps(data, separators=(",", ":"))[:_MAX_TEXT]
    return str(data)[:_MAX_TEXT]


#: Typed errors by meaning, each also a :class:`RestlessStreamAPIError`
#: (``family.NotFoundError`` is ``RestlessNotFoundError``, ...).
family = ErrorFamily.derive(
    RestlessStreamAPIError,
    prefix="Restless",
    message_extractor=restless_error_message,
    module=__name__,
)

# Module-level names for the derived classes (tracebacks, pickling, ``except RestlessNotFoundError``).
RestlessStatusError = family.APIStatusError
RestlessBadRequestError = family.BadRequestError
RestlessAuthenticationError = family.AuthenticationError
RestlessPermissionDeniedError = family.PermissionDeniedError
RestlessNotFoundError = family.NotFoundError
RestlessConflictError = family.ConflictError
RestlessUnprocessableEntityError = family.UnprocessableEntityError
RestlessRateLimitError = family.RateLimitError
RestlessServerError = family.ServerError
RestlessConnectionError = family.APIConnectionError
RestlessTimeoutError = family.APITimeoutError
