"""Spec validation that runs before any code is generated.

A broken spec must stop generation with a message naming the file and the JSON path
of the problem, not with a confusing traceback from deep inside a generator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError, best_match
from openapi_spec_validator import OpenAPIV31SpecValidator

ASYNCAPI_SCHEMA = Path(__file__).parent / "schemas" / "asyncapi-3.0.0.schema.json"


class SpecError(Exception):
    """A spec file is invalid; ``str()`` names the file and the JSON path."""

    def __init__(self, path: Path, json_path: str, message: str) -> None:
        self.path, self.json_path, self.message = path, json_path, message
        super().__init__(f"{path}: at {json_path}: {message}")


def load_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            document = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise SpecError(path, "$", f"not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise SpecError(path, "$", "the document must be a mapping")
    return document


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _deepest(error: ValidationError) -> ValidationError:
    """Descend into oneOf/anyOf context to the most specific failure."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _iter_schema_objects(document: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every Schema Object position of an OpenAPI document, with its path."""
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        yield ("components", "schemas", name), schema
    for route, item in (document.get("paths") or {}).items():
        for method, op in (item or {}).items():
            if not isinstance(op, dict):
                continue
            for index, param in enumerate(op.get("parameters") or []):
                if isinstance(param, dict) and "schema" in param:
                    yield ("paths", route, method, "parameters", index, "schema"), param["schema"]
            bodies = [(("requestBody",), op.get("requestBody") or {})]
            bodies += [
                (("responses", code), resp or {}) for code, resp in (op.get("responses") or {}).items()
            ]
            for trail, holder in bodies:
                for media, content in (holder.get("content") or {}).items():
                    if isinstance(content, dict) and "schema" in content:
                        yield ("paths", route, method, *trail, "content", media, "schema"), content["schema"]


def validate_openapi(path: Path) -> dict[str, Any]:
    document = load_yaml(path)
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1"):
        raise SpecError(path, "$.openapi", f"expected OpenAPI 3.1.x, found {version or 'nothing'!r}")
    # Schema Objects first: openapi-spec-validator reports their errors relative to the schema,
    # so checking them against the JSON Schema 2020-12 meta-schema here gives the full path.
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    for trail, schema in _iter_schema_objects(document):
        schema_error = best_match(meta.iter_errors(schema))
        if schema_error is not None:
            schema_error = _deepest(schema_error)
            raise SpecError(path, _json_path((*trail, *schema_error.absolute_path)), schema_error.message)
    error = best_match(OpenAPIV31SpecValidator(document).iter_errors())
    if error is not None:
        error = _deepest(error) if isinstance(error, ValidationError) else error
        raise SpecError(path, _json_path(getattr(error, "absolute_path", [])), error.message)
    _check_operations(path, document)
    return document


def _check_operations(path: Path, document: dict[str, Any]) -> None:
    """House rules beyond the OpenAPI schema (see DESIGN.md "Specs are the product's source of truth")."""
    seen: set[str] = set()
    for route, item in (document.get("paths") or {}).items():
        for method, op in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                continue
            where = f"$.paths[{route!r}].{method}"
            op_id = op.get("operationId")
            if not op_id:
                raise SpecError(path, where, "every operation needs an operationId")
            if op_id in seen:
                raise SpecError(path, f"{where}.operationId", f"duplicate operationId {op_id!r}")
            seen.add(op_id)
            if len(op.get("tags") or []) != 1:
                raise SpecError(path, f"{where}.tags", "every operation needs exactly one tag")
            if not any(
                str(code).startswith(("4", "5")) or code == "default" for code in op.get("responses", {})
            ):
                raise SpecError(path, f"{where}.responses", "document at least one error response")


def _iter_refs(node: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield trail, ref
        for key, value in node.items():
            yield from _iter_refs(value, (*trail, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _iter_refs(value, (*trail, index))


def _resolve_local(document: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    node: Any = document
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            return False
        node = node[token]
    return True


def _inline_schema_refs(document: dict[str, Any], node: Any, active: frozenset[str] = frozenset()) -> Any:
    """Inline ``$ref``s to ``#/components/schemas/...`` (cycles stay refs), keep the others.

    The AsyncAPI 3.0 schema says ``oneOf: [Reference, Schema]`` for schema positions, and a
    ``{"$ref": ...}`` matches both, so a raw document gives false errors there; parsers resolve
    schema refs first. Message, channel and operation refs must stay References.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/") and ref not in active:
            target: Any = document
            for token in ref[2:].split("/"):
                target = target[token.replace("~1", "/").replace("~0", "~")]
            return _inline_schema_refs(document, target, active | {ref})
        return {key: _inline_schema_refs(document, value, active) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_schema_refs(document, value, active) for value in node]
    return node


def validate_asyncapi(path: Path) -> dict[str, Any]:
    document = load_yaml(path)
    version = str(document.get("asyncapi", ""))
    if not version.startswith("3.0"):
        raise SpecError(path, "$.asyncapi", f"expected AsyncAPI 3.0.x, found {version or 'nothing'!r}")
    for trail, ref in _iter_refs(document):
        if not _resolve_local(document, ref):
            raise SpecError(
                path, _json_path(trail), f"unresolvable $ref {ref!r} (only local '#/...' refs are allowed)"
            )
    schema = json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    error = best_match(validator.iter_errors(_inline_schema_refs(document, document)))
    if error is not None:
        error = _deepest(error)
        raise SpecError(path, _json_path(error.absolute_path), error.message)
    return document
