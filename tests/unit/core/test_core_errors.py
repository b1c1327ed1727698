"""Typed errors by status, readable messages, redaction, and provider-derived families."""

from __future__ import annotations

import pickle

import httpx
import pytest
from specwire.core import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ErrorFamily,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SpecwireError,
    UnprocessableEntityError,
    error_for_transport_exception,
    register_secret,
)
from specwire.core.errors import CORE_FAMILY


def _response(
    status: int, *, url: str = "https://api.example.test/v1/things/7", **kwargs: object
) -> httpx.Response:
    request = httpx.Request("GET", url)
    response = httpx.Response(status, request=request, **kwargs)  # type: ignore[arg-type]
    response.read()
    return response


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, APIStatusError),
    ],
)
def test_status_maps_to_class_by_meaning(status: int, cls: type[APIStatusError]) -> None:
    err = CORE_FAMILY.from_response(_response(status, json={"message": "boom"}))
    assert type(err) is cls
    assert isinstance(err, APIStatusError) and isinstance(err, APIError) and isinstance(err, SpecwireError)
    assert err.status_code == status
    assert err.message == "boom"


def test_str_names_status_reason_message_and_redacted_url() -> None:
    err = CORE_FAMILY.from_response(
        _response(404, url="https://h.test/p?apiKey=abcdefgh123&x=1", json={"message": "no such thing"})
    )
    assert str(err) == "404 Not Found: no such thing (GET https://h.test/p?apiKey=***&x=1)"
    assert "abcdefgh123" not in repr(err)
    assert err.method == "GET"
    assert err.body == {"message": "no such thing"}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"json": {"message": "m1"}}, "m1"),
        ({"json": {"success": False, "errorCode": 3, "errorMessage": "m2"}}, "m2"),
        ({"json": {"type": "about:blank", "title": "Bad", "detail": "m3"}}, "m3"),
        ({"json": {"error": {"code": "X", "message": "m4"}}}, "m4"),
        ({"json": {"error": "m5"}}, "m5"),
        ({"text": "plain failure"}, "plain failure"),
        ({"content": b""}, "Bad Request"),
    ],
)
def test_message_extracted_from_common_body_shapes(kwargs: dict[str, object], expected: str) -> None:
    assert CORE_FAMILY.from_response(_response(400, **kwargs)).message == expected


def test_explicit_message_wins() -> None:
    err = CORE_FAMILY.from_response(_response(400, json={"message": "server"}), message="mine")
    assert err.message == "mine"


def test_secrets_never_in_message_body_or_repr() -> None:
    secret = "sk-live-errors-0123456789"
    register_secret(secret)
    err = CORE_FAMILY.from_response(
        _response(401, json={"message": f"bad key {secret}", "apiKey": "unregistered-but-named", "n": 1})
    )
    for text in (str(err), repr(err), repr(err.body), err.message):
        assert secret not in text
        assert "unregistered-but-named" not in text
    assert err.body["n"] == 1


def test_rate_limit_error_reads_retry_after() -> None:
    err = CORE_FAMILY.from_response(_response(429, headers={"Retry-After": "17"}))
    assert isinstance(err, RateLimitError)
    assert err.retry_after == 17.0
    direct = RateLimitError("slow down", response=_response(429, headers={"retry-after-ms": "1500"}))
    assert direct.retry_after == 1.5


def test_direct_construction_of_core_classes() -> None:
    err = APIError("went wrong", method="POST", url="https://h.test/x?token=abcdefgh")
    assert str(err) == "went wrong (POST https://h.test/x?token=***)"
    status_err = NotFoundError("gone", response=_response(404, json={"message": "x"}))
    assert status_err.status_code == 404 and status_err.response is not None


def test_transport_exceptions_map_to_connection_and_timeout_errors() -> None:
    request = httpx.Request("GET", "https://h.test/a")
    connect = httpx.ConnectError("refused", request=request)
    err = error_for_transport_exception(connect)
    assert type(err) is APIConnectionError and err.__cause__ is connect
    assert "refused" in str(err) and "https://h.test/a" in str(err)
    timeout = httpx.ReadTimeout("slow", request=request)
    terr = error_for_transport_exception(timeout, request)
    assert (
        type(terr) is APITimeoutError and isinstance(terr, APIConnectionError) and terr.__cause__ is timeout
    )


class RestlessStreamAPIError(Exception):
    """A provider base with its own constructor signature and str, like a ported SDK's."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(status_code, message)
        self.status_code = status_code
        self.message = message

    def __str__(self) -> str:
        return f"Restless Stream API error {self.status_code}: {self.message}"


FAMILY = ErrorFamily.derive(RestlessStreamAPIError, prefix="Restless")
# A provider module exposes its derived classes by name (that is also what pickling needs).
RestlessNotFoundError = FAMILY.NotFoundError


def test_derived_family_is_caught_by_both_except_styles() -> None:
    err = FAMILY.from_response(_response(404, json={"message": "stream not found"}))
    assert type(err).__name__ == "RestlessNotFoundError"
    assert type(err) is FAMILY.NotFoundError
    with pytest.raises(NotFoundError):
        raise err
    with pytest.raises(RestlessStreamAPIError):
        raise err
    assert str(err) == "Restless Stream API error 404: stream not found"
    assert issubclass(FAMILY.NotFoundError, FAMILY.APIStatusError)
    assert issubclass(FAMILY.APITimeoutError, FAMILY.APIConnectionError)
    assert issubclass(FAMILY.APITimeoutError, RestlessStreamAPIError)


def test_provider_base_keeps_its_own_constructor() -> None:
    own = RestlessStreamAPIError(500, "direct")
    assert str(own) == "Restless Stream API error 500: direct"


def test_derived_from_status_and_transport() -> None:
    err = FAMILY.from_status(429, "slow down", url="https://h.test/a?key=abcdefgh")
    assert isinstance(err, RateLimitError) and isinstance(err, RestlessStreamAPIError)
    assert err.retry_after is None and err.url == "https://h.test/a?key=***"
    terr = FAMILY.from_transport_exception(httpx.ConnectTimeout("t"), httpx.Request("GET", "https://h.test"))
    assert isinstance(terr, APITimeoutError) and isinstance(terr, RestlessStreamAPIError)


def test_specwire_init_hook_adds_provider_state() -> None:
    class GatewayError(Exception):
        def _specwire_init(self) -> None:
            self.error_code = (self.body or {}).get("errorCode")

    family = ErrorFamily.derive(GatewayError, prefix="Gw")
    err = family.from_response(_response(400, json={"errorCode": 2, "errorMessage": "rejected"}))
    assert err.error_code == 2  # type: ignore[attr-defined]
    assert str(err).startswith("400 Bad Request: rejected")


def test_derived_errors_survive_pickling() -> None:
    err = FAMILY.from_status(404, "gone", url="https://h.test/s/1")
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err) and clone.message == "gone" and clone.status_code == 404


def test_bad_family_arguments_are_rejected_clearly() -> None:
    with pytest.raises(ConfigurationError, match="provider_base"):
        ErrorFamily.derive(object, prefix="X")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="prefix"):
        ErrorFamily.derive(RestlessStreamAPIError, prefix="not valid")
