"""One builder per REST operation, shared by the sync and async clients: validate, build, check the answer.

Why a separate layer: both facades must behave identically, so every argument
rule lives here (pure, no I/O; bad input raises before anything is sent) and
the facades differ only in ``await``. Requests are built by the generated
operation modules (``specwire_gen.restless.api.streams``), so paths and body
shapes come from the spec; request bodies are assembled by
:mod:`specwire.restless.bodies`. :func:`check_result` turns the generated
``Response`` into the model, or the Restless error it stands for.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import attrs
import httpx

from specwire.core.redact import register_secret
from specwire.restless import _gen, models
from specwire.restless.bodies import build_body, inject_api_key
from specwire.restless.errors import RestlessStreamAPIError, family

__all__ = ["Call", "Ops", "check_result", "parse_failure"]


@attrs.frozen
class Call:
    """One REST operation, ready to run: generated module, its arguments, the expected result."""

    op: ModuleType
    kwargs: dict[str, Any]
    method: str
    path: str
    result: type


def _check_id(value: Any, argument: str = "stream_id") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{argument} must be a non-empty string, got {value!r}")
    return value


def _check_int(value: Any, argument: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{argument} must be an integer >= {minimum}, got {value!r}")
    return value


def _from_dict(model: Any, body: dict[str, Any], operation: str) -> Any:
    """Build the generated request model; a missing required field is named."""
    try:
        return model.from_dict(body)
    except KeyError as exc:
        raise ValueError(f"{operation}: missing required field {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise TypeError(f"{operation}: invalid request body ({exc})") from None


def _require(body: dict[str, Any], field: str, operation: str) -> None:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{operation}: {field} must be a non-empty string, got {value!r}")


class Ops:
    """Builds every REST call from the caller's arguments (validation included)."""

    def __init__(self, api_key: str | None) -> None:
        self.api_key = api_key

    def list_streams(self, limit: int, offset: int) -> Call:
        kwargs = {"limit": _check_int(limit, "limit", 1), "offset": _check_int(offset, "offset", 0)}
        return Call(_gen.op_list_streams, kwargs, "GET", "/streams", models.StreamsResponse)

    def get_stream(self, stream_id: str) -> Call:
        sid = _check_id(stream_id)
        return Call(_gen.op_get_stream, {"stream_id": sid}, "GET", f"/streams/{sid}", models.Stream)

    def create_stream(self, data: Any, kwargs: dict[str, Any]) -> Call:
        body = inject_api_key(build_body(data, **kwargs), self.api_key)
        model = _from_dict(_gen.StreamCreateRequest, body, "create_stream")
        return Call(_gen.op_create_stream, {"body": model}, "POST", "/streams", models.Stream)

    def update_stream(self, stream_id: str, data: Any, kwargs: dict[str, Any]) -> Call:
        sid = _check_id(stream_id)
        body = inject_api_key(build_body(data, **kwargs), self.api_key)
        model = _from_dict(_gen.StreamUpdateRequest, body, "update_stream")
        return Call(
            _gen.op_update_stream,
            {"stream_id": sid, "body": model},
            "PATCH",
            f"/streams/{sid}",
            models.Stream,
        )

    def start_stream(self, stream_id: str) -> Call:
        sid = _check_id(stream_id)
        return Call(_gen.op_start_stream, {"stream_id": sid}, "POST", f"/streams/{sid}/start", models.Stream)

    def stop_stream(self, stream_id: str) -> Call:
        sid = _check_id(stream_id)
        return Call(_gen.op_stop_stream, {"stream_id": sid}, "POST", f"/streams/{sid}/stop", models.Stream)

    def delete_stream(self, stream_id: str) -> Call:
        sid = _check_id(stream_id)
        return Call(
            _gen.op_delete_stream, {"stream_id": sid}, "DELETE", f"/streams/{sid}", models.BaseActionResponse
        )

    def validate_stream_api_key(self, api_key: str | None) -> Call:
        if api_key is not None and not isinstance(api_key, str):
            raise TypeError(f"api_key must be a string, got {type(api_key).__name__}")
        key = api_key or self.api_key
        if key:
            register_secret(key)
        body = _gen.ValidateApiKeyRequest(api_key=key)
        return Call(
            _gen.op_validate_stream_api_key,
            {"body": body},
            "POST",
            "/streams/validate-api-key",
            models.BaseActionResponse,
        )

    def credit_usage_stats(self, stream_id: str) -> Call:
        sid = _check_id(stream_id)
        return Call(
            _gen.op_credit_usage_stats,
            {"stream_id": sid},
            "GET",
            f"/streams/{sid}/credit-usage-stats",
            models.StreamCreditUsageStats,
        )

    def connection_snippets(self, data: Any, kwargs: dict[str, Any]) -> Call:
        body = build_body(data, **kwargs)
        model = _from_dict(_gen.ConnectionSnippetsRequest, body, "connection_snippets")
        return Call(
            _gen.op_connection_snippets,
            {"body": model},
            "POST",
            "/streams/connection-snippets",
            models.ConnectionSnippetsResponse,
        )

    def direct_setup(self, data: Any, kwargs: dict[str, Any]) -> Call:
        body = build_body(data, **kwargs)
        _require(body, "url", "direct_setup")
        model = _from_dict(_gen.DirectSetupRequest, body, "direct_setup")
        return Call(
            _gen.op_direct_setup, {"body": model}, "POST", "/streams/direct/setup", models.DirectSetupResponse
        )

    def direct_session(self, data: Any, kwargs: dict[str, Any]) -> Call:
        body = build_body(data, **kwargs)
        _require(body, "url", "direct_session")
        model = _from_dict(_gen.DirectSessionRequest, body, "direct_session")
        return Call(
            _gen.op_direct_session,
            {"body": model},
            "POST",
            "/streams/direct/sessions",
            models.DirectSessionResponse,
        )


def check_result(call: Call, response: Any, base_url: httpx.URL) -> Any:
    """Turn the generated ``Response`` into the model, or the Restless error it stands for.

    Our own httpx client already raised for non-2xx; this covers a caller-supplied
    ``http_client`` (which does not) and 2xx answers without a usable body.
    """
    status = int(response.status_code)
    parsed = response.parsed
    if status >= 400 or not isinstance(parsed, call.result):
        raw = httpx.Response(
            status,
            headers=response.headers,
            content=response.content,
            request=httpx.Request(call.method, base_url.join(call.path)),
        )
        if status >= 400:
            raise family.from_response(raw)
        raise family.from_status(
            status,
            f"expected a {call.result.__name__} body, got HTTP {status} with {len(response.content)} bytes",
            body=response.content,
            request=raw.request,
        )
    return parsed


def parse_failure(call: Call, exc: Exception) -> RestlessStreamAPIError:
    err = RestlessStreamAPIError(
        None,
        f"{call.method} {call.path}: response does not match the {call.result.__name__} schema ({exc!r})",
    )
    err.__cause__ = exc
    return err
