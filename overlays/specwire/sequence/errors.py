"""``SequenceError`` as the official SDK documents it, tied into specwire's error family.

Code written for ``sequence_markets`` catches ``SequenceError`` and reads ``.status`` / ``.message``;
specwire code catches by meaning (``RateLimitError``, ``ConflictError``). Every error raised for an HTTP
status is both: the family is derived once from :class:`SequenceError`. Network failures carry
``status == 0`` as in the official SDK.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from specwire.core.errors import APIError, ErrorFamily, extract_error_message

__all__ = [
    "SequenceError",
    "SequenceResponseError",
    "family",
    "sequence_error_message",
]

_MAX_TEXT = 200


class SequenceError(APIError):
    """A failed Sequence call: ``status`` (HTTP status, ``0`` for network failures) and ``message``.

    ``SequenceError(404, "order x not found")`` builds one directly, as in the official SDK.
    """

    #: On a failed ``buy``/``sell``/``graph``/batch submit: the ``graph_id`` it was sent with. When the
    #: outcome was unknown and the graph could not be found, resubmitting with ``graph_id=`` this id is
    #: safe: the service refuses a second graph with the same id (409), which resolves to the first.
    graph_id: str | None = None

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status_code=status or None)

    @property
    def status(self) -> int:
        """HTTP status; ``0`` when no response arrived (connection failure or timeout)."""
        return self.status_code or 0

    def __str__(self) -> str:
        return f"API error ({self.status}): {self.message}{self._where()}"


class SequenceResponseError(SequenceError):
    """A 2xx response whose body is not the documented JSON (never a silent ``None``)."""


def sequence_error_message(response: httpx.Response) -> str:
    """The message the official SDK shows: ``error.message`` / ``error`` string / first 200 chars of text."""
    try:
        data: Any = json.loads(response.content)
    except ValueError:
        text = response.content.decode("utf-8", errors="replace").strip()
        return text[:_MAX_TEXT] if text else (response.reason_phrase or "error")
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str) and error:
            return error
    return extract_error_message(response)


family = ErrorFamily.derive(SequenceError, prefix="Sequence", message_extractor=sequence_error_message)
"""Classes such as ``family.ConflictError`` subclass both :class:`SequenceError` and the core class."""
