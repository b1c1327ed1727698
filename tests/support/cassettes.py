"""Cassettes: one vcrpy configuration for every provider, and a writer for cassettes
built from the reference's documented examples.

Nobody on the team can reach the live services, so the committed cassettes are written
from the request/response examples in ``shared/reference`` with :func:`write_cassette`;
``make record PROVIDER=x`` replaces them with live recordings. Both paths go through the
same vcrpy scrubbing hooks (:func:`vcr_config`), so a secret can reach a cassette by
neither; ``tests/contract/test_scrubbing.py`` proves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import vcr
from vcr.request import Request as VcrRequest

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
REDACTED = "REDACTED"

# Header, query and JSON-body names that carry credentials in any of our providers.
SECRET_HEADERS = (
    "authorization",
    "x-api-key",
    "x-therundown-key",
    "cookie",
    "set-cookie",
    "x-sequence-api-key",
)
SECRET_QUERY = ("key", "apiKey", "api_key", "access_token", "token", "signature")
SECRET_BODY_KEYS = frozenset(
    {"apiKey", "api_key", "password", "token", "newToken", "verifyKey", "secret", "apiSecret"}
)


def _scrub_json(node: Any, keys: frozenset[str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (REDACTED if k in keys and v is not None else _scrub_json(v, keys)) for k, v in node.items()
        }
    if isinstance(node, list):
        return [_scrub_json(v, keys) for v in node]
    return node


def scrub_body(body: bytes | str | None, keys: frozenset[str] = SECRET_BODY_KEYS) -> bytes | str | None:
    """Replace secret-named JSON fields at any depth; non-JSON bodies pass through."""
    if not body:
        return body
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    scrubbed = json.dumps(_scrub_json(parsed, keys), separators=(",", ":"), ensure_ascii=False)
    return scrubbed.encode() if isinstance(body, bytes) else scrubbed


def json_body_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    """Match bodies as JSON values (key order and whitespace do not matter), else as bytes."""

    def parse(body: Any) -> Any:
        if not body:
            return None
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return body

    a, b = parse(r1.body), parse(r2.body)
    assert a == b, f"request bodies differ: {a!r} != {b!r}"


def vcr_config(
    *,
    body_keys: frozenset[str] = SECRET_BODY_KEYS,
    response_scrubber: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The vcrpy options every contract test uses (pytest-recording's ``vcr_config``)."""

    def before_record_request(request: VcrRequest) -> VcrRequest:
        request.body = scrub_body(request.body, body_keys)
        return request

    def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
        body = response.get("body", {}).get("string")
        response["body"]["string"] = scrub_body(body, body_keys)
        headers = response.get("headers", {})
        for name in list(headers):
            if name.lower() in SECRET_HEADERS:
                headers[name] = [REDACTED]
            elif name.lower() == "content-length":
                del headers[name]  # the scrubbed body may be shorter
        return response_scrubber(response) if response_scrubber else response

    return {
        "filter_headers": [(name, REDACTED) for name in SECRET_HEADERS],
        "filter_query_parameters": [(name, REDACTED) for name in SECRET_QUERY],
        "before_record_request": before_record_request,
        "before_record_response": before_record_response,
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "decode_compressed_response": True,
        "record_on_exception": False,
    }


def make_vcr(**config: Any) -> vcr.VCR:
    my_vcr = vcr.VCR(**config)
    my_vcr.register_matcher("json_body", json_body_matcher)
    return my_vcr


@attrs.frozen
class Interaction:
    """One request and its answer, as documented (status, JSON body, headers)."""

    method: str
    url: str
    status: int
    response: Any = None
    request: Any = None
    request_headers: Mapping[str, str] = attrs.field(factory=dict)
    response_headers: Mapping[str, str] = attrs.field(factory=dict)
    reason: str = ""

    def vcr_request(self) -> VcrRequest:
        body = None if self.request is None else json.dumps(self.request, separators=(",", ":")).encode()
        headers = dict(self.request_headers)
        if body is not None:
            headers.setdefault("content-type", "application/json")
        return VcrRequest(self.method.upper(), self.url, body, headers)

    def vcr_response(self) -> dict[str, Any]:
        from http import HTTPStatus

        if isinstance(self.response, bytes | str):
            content = self.response.encode() if isinstance(self.response, str) else self.response
            default_type = "text/plain"
        else:
            content = b"" if self.response is None else json.dumps(self.response).encode()
            default_type = "application/json"
        headers = {"content-type": [default_type]} if content else {}
        headers.update({k.lower(): [v] for k, v in self.response_headers.items()})
        return {
            "status": {"code": self.status, "message": self.reason or HTTPStatus(self.status).phrase},
            "headers": headers,
            "body": {"string": content},
        }


def write_cassette(path: Path, interactions: Sequence[Interaction], **config: Any) -> Path:
    """Write ``interactions`` to a vcrpy cassette through the same scrubbing hooks as live recording."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    options = {**vcr_config(), **config}
    with make_vcr(**options).use_cassette(str(path), record_mode="all") as cassette:
        for interaction in interactions:
            cassette.append(interaction.vcr_request(), interaction.vcr_response())
    return path


def write_all(provider: str, cassettes: Mapping[str, Iterable[Interaction]], **config: Any) -> list[Path]:
    """Write ``tests/cassettes/<provider>/<name>.yaml`` for every entry."""
    return [
        write_cassette(CASSETTES / provider / f"{name}.yaml", list(items), **config)
        for name, items in cassettes.items()
    ]


def recorded(path: Path) -> list[dict[str, Any]]:
    """The interactions stored in a cassette file (for assertions on what was sent)."""
    import yaml

    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["interactions"]
