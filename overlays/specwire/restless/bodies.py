"""Request bodies: mapping, generated model or keyword arguments → the wire JSON.

The official SDK camel-cases every key it finds, including the keys of the
user's own upstream ``headers`` and ``body`` (``X_Trace_Id`` goes out as
``XTraceId``). Here only *our* schema's keys are converted: the top-level field
names and the fields of each polling strategy. What the user puts inside
``headers`` and ``body`` is their upstream request and is sent untouched.

Enum fields (``status``, ``method``, ``payload_mode``) are checked against the
spec before anything is sent, and a malformed ``polling_strategies`` entry is
reported by index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specwire.restless.enum_checks import check_http_method, check_payload_mode, check_stream_status

__all__ = ["build_body", "camel_key", "inject_api_key"]

#: Fields whose *values* belong to the user's upstream request: never renamed.
_OPAQUE = frozenset({"headers", "body"})
_ENUM_CHECKS = {
    "status": check_stream_status,
    "method": check_http_method,
    "payloadMode": check_payload_mode,
}
_STRATEGY_FIELDS = ("startTime", "endTime", "intervalSeconds")


def camel_key(key: str) -> str:
    """``payload_mode`` → ``payloadMode``; keys without ``_`` are left as they are.

    The official SDK's rule: split on ``_``, keep the first piece, capitalise the
    first letter of each later piece, join (``a__b`` → ``aB``, ``_x`` → ``X``).
    """
    if "_" not in key:
        return key
    first, *rest = key.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _as_dict(value: Any, argument: str) -> dict[str, Any]:
    """A mapping, or a generated attrs model (``to_dict()``), as a fresh dict."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        result = to_dict()
        if isinstance(result, dict):
            return result
    raise TypeError(
        f"{argument} must be a mapping or a specwire_gen.restless model, got {type(value).__name__}"
    )


def _strategies(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        raise TypeError(f"polling_strategies must be a list, got {type(value).__name__}")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        entry = {
            camel_key(k) if isinstance(k, str) else k: v
            for k, v in _as_dict(item, f"polling_strategies[{i}]").items()
        }
        missing = [f for f in _STRATEGY_FIELDS if f not in entry]
        if missing:
            raise ValueError(f"polling_strategies[{i}] is missing {', '.join(missing)}")
        interval = entry["intervalSeconds"]
        if not isinstance(interval, int) or isinstance(interval, bool):
            raise TypeError(f"polling_strategies[{i}].intervalSeconds must be an integer, got {interval!r}")
        out.append(entry)
    return out


def build_body(data: Any = None, /, **kwargs: Any) -> dict[str, Any]:
    """Merge ``data`` (mapping or model) with ``kwargs`` (kwargs win) into wire JSON.

    Raises ``TypeError`` for a ``data`` that is neither a mapping nor a model, and
    ``ValueError`` for an enum value the spec does not know; both name the field.
    """
    merged = _as_dict(data, "data")
    merged.update(kwargs)
    body: dict[str, Any] = {}
    for key, value in merged.items():
        if not isinstance(key, str):
            raise TypeError(f"body keys must be strings, got {key!r}")
        body[camel_key(key)] = value
    for field, check in _ENUM_CHECKS.items():
        if body.get(field) is not None:
            body[field] = check(body[field], field) or body[field]
    for field in _OPAQUE:
        value = body.get(field)
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{field} must be a mapping (a JSON object), got {type(value).__name__}")
        if isinstance(value, Mapping):
            body[field] = dict(value)
    if body.get("pollingStrategies") is not None:
        body["pollingStrategies"] = _strategies(body["pollingStrategies"])
    return body


def inject_api_key(body: dict[str, Any], api_key: str | None) -> dict[str, Any]:
    """Add the client's key as ``apiKey`` unless the caller sent one (create/update only)."""
    if api_key and "apiKey" not in body and "api_key" not in body:
        body["apiKey"] = api_key
    return body
