"""Restless errors: the official names and message rule, typed by meaning, secrets never shown."""

from __future__ import annotations

import pickle

import httpx
import pytest
from specwire.core.errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SpecwireError,
    StreamParseError,
)
from specwire.core.redact import register_secret
from specwire.restless import RestlessStreamAPIError, RestlessStreamError, RestlessStreamParseError
from specwire.restless.errors import family, restless_error_message


def _resp(status: int, content: bytes, ctype: str = "application/json", **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=content,
        headers={"content-type": ctype, **headers},
        request=httpx.Request("GET", "https://api.restlessapi.stream/streams/x"),
    )


@pytest.mark.parametrize(
    ("content", "ctype", "message"),
    [
        (b'{"message":"Stream not found","code":"E1"}', "application/json", "Stream not found"),
        (b'{"error":"nope"}', "application/json", '{"error":"nope"}'),  # no message: whole object
        (b'["a","b"]', "application/json", "['a', 'b']"),
        (b'"plain"', "application/json", "plain"),
        (b"<html>Bad Gateway</html>", "text/html", "<html>Bad Gateway</html>"),
    ],
)
def test_message_rule_of_the_official_sdk(content: bytes, ctype: str, message: str) -> None:
    assert restless_error_message(_resp(404, content, ctype)) == message


def test_family_classes_are_both_restless_and_core() -> None:
    err = family.from_response(_resp(404, b'{"message":"Stream not found"}'))
    assert isinstance(err, NotFoundError) and isinstance(err, RestlessStreamAPIError)
    assert isinstance(err, RestlessStreamError) and isinstance(err, SpecwireError)
    assert (err.status_code, err.message) == (404, "Stream not found")
    assert str(err) == "Restless Stream API error 404: Stream not found"
    assert isinstance(family.from_response(_resp(401, b"{}")), AuthenticationError)
    limited = family.from_response(_resp(429, b'{"message":"slow"}', **{"retry-after": "7"}))
    assert isinstance(limited, RateLimitError) and limited.retry_after == 7.0
    assert isinstance(family.from_response(_resp(502, b"")), ServerError)
    conn = family.from_transport_exception(httpx.ConnectError("refused"))
    assert isinstance(conn, APIConnectionError) and isinstance(conn, RestlessStreamAPIError)
    assert conn.status_code is None and str(conn).startswith("Restless Stream connection error")


def test_direct_construction_keeps_the_official_signature() -> None:
    err = RestlessStreamAPIError(500, "boom")
    assert (err.status_code, err.message, str(err)) == (500, "boom", "Restless Stream API error 500: boom")
    assert isinstance(err, APIError)
    assert issubclass(RestlessStreamParseError, StreamParseError)
    assert issubclass(RestlessStreamParseError, RestlessStreamError)


def test_secrets_never_appear_in_errors() -> None:
    key = "rs_" + "ab" * 32
    register_secret(key)
    resp = httpx.Response(
        401,
        json={"message": f"key {key} is revoked"},
        request=httpx.Request("GET", f"https://stream.restlessapi.stream?url=u&apiKey={key}"),
    )
    err = family.from_response(resp)
    shown = str(err) + repr(err) + str(err.url) + str(err.body) + err.message
    assert key not in shown
    assert key not in repr(pickle.loads(pickle.dumps(err)))
