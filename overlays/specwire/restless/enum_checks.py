"""Checks of the enum values a caller passes (``method``, ``status``, ``payload_mode``).

The generated enums (:mod:`specwire.restless.models`) accept unknown *server*
values (forward compatibility); values a *caller* passes are different: a typo
such as ``method="FETCH"`` is rejected here, naming the argument, before
anything is sent.
"""

from __future__ import annotations

import enum
from typing import Any

from specwire.restless.models import HttpMethod, PayloadMode, StreamStatus

__all__ = [
    "check_enum",
    "check_http_method",
    "check_payload_mode",
    "check_stream_status",
]


def check_enum(enum_cls: type[enum.Enum], value: Any, argument: str, *, case_insensitive: bool = True) -> str:
    """Return the wire value of ``value`` (member or string) or raise ``ValueError`` naming ``argument``.

    ``None`` and ``""`` mean "not given" and come back as ``""``.
    """
    if value is None or value == "":
        return ""
    known = [m.value for m in enum_cls]  # iteration yields documented members only
    if isinstance(value, enum_cls):
        raw = value.value
    elif isinstance(value, str):
        raw = value.strip().upper() if case_insensitive else value
    else:
        raise TypeError(f"{argument} must be a string or {enum_cls.__name__}, got {type(value).__name__}")
    if raw not in known:
        raise ValueError(f"{argument} must be one of {', '.join(known)}; got {value!r}")
    return str(raw)


def check_http_method(value: Any, argument: str = "method") -> str:
    return check_enum(HttpMethod, value, argument)


def check_payload_mode(value: Any, argument: str = "payload_mode") -> str:
    return check_enum(PayloadMode, value, argument)


def check_stream_status(value: Any, argument: str = "status") -> str:
    return check_enum(StreamStatus, value, argument)
