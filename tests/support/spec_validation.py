"""Validate recorded requests and responses against our own OpenAPI specs.

A contract test proves two things at once: the client sends what the spec says, and
what the API answered (the cassette) is what the spec describes. The spec's schemas are
OpenAPI 3.1 = JSON Schema 2020-12, so ``jsonschema`` validates them directly; local
``#/components/...`` refs resolve because the spec's components are attached to the root.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPECS = Path(__file__).resolve().parents[2] / "specs"
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@functools.cache
def load_spec(provider: str) -> dict[str, Any]:
    with (SPECS / provider / "openapi.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _path_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
    return re.compile(f"^{pattern}$")


def find_operation(provider: str, method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The (path template, operation) that serves ``METHOD path``; raises if the spec has none."""
    spec = load_spec(provider)
    prefix = ""
    for server in spec.get("servers", []):
        server_path = re.sub(r"^[a-z]+://[^/]+", "", server.get("url", ""))
        if server_path and path.startswith(server_path):
            prefix = server_path.rstrip("/")
            break
    rel = path[len(prefix) :] or "/"
    matches = [
        (template, item[method.lower()])
        for template, item in spec.get("paths", {}).items()
        if method.lower() in item and _path_regex(template).match(rel)
    ]
    if not matches:
        raise AssertionError(f"{provider} spec has no operation for {method.upper()} {path}")
    # A literal segment beats a parameter: prefer the template with the fewest parameters.
    return min(matches, key=lambda m: m[0].count("{"))


def operation_by_id(provider: str, operation_id: str) -> tuple[str, str, dict[str, Any]]:
    for template, item in load_spec(provider).get("paths", {}).items():
        for method, op in item.items():
            if method in _METHODS and op.get("operationId") == operation_id:
                return method.upper(), template, op
    raise AssertionError(f"{provider} spec has no operationId {operation_id!r}")


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for token in node["$ref"][2:].split("/"):
            target = target[token]
        node = target
    return node


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "components": spec["components"],
    }
    return jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _check(validator: jsonschema.Draft202012Validator, instance: Any, what: str) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  at $.{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]]
        raise AssertionError(f"{what} does not match the spec:\n" + "\n".join(lines))


def response_schema(provider: str, method: str, path: str, status: int) -> dict[str, Any] | None:
    spec = load_spec(provider)
    template, op = find_operation(provider, method, path)
    responses = op.get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if response is None:
        raise AssertionError(
            f"{provider} spec documents no {status} response for {method.upper()} {template}"
        )
    content = _resolve(spec, response).get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return None if media is None else media.get("schema")


def validate_response(provider: str, method: str, path: str, status: int, body: Any) -> None:
    """Assert that ``body`` (parsed JSON) is what the spec documents for this status."""
    schema = response_schema(provider, method, path, status)
    if schema is None:
        assert body in (None, b"", ""), f"spec documents no body for {status} but one was recorded"
        return
    _check(_validator(load_spec(provider), schema), body, f"{method.upper()} {path} -> {status} body")


def validate_request_body(provider: str, method: str, path: str, body: Any) -> None:
    """Assert that a JSON request body fits the operation's documented requestBody schema."""
    spec = load_spec(provider)
    template, op = find_operation(provider, method, path)
    request_body = _resolve(spec, op.get("requestBody") or {})
    media = (request_body.get("content") or {}).get("application/json")
    if media is None:
        assert body in (None, b"", ""), f"{method.upper()} {template} documents no JSON body but one was sent"
        return
    _check(_validator(spec, media["schema"]), body, f"{method.upper()} {path} request body")
