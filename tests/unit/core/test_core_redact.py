"""Secrets never reach log records, exception text, reprs or displayed URLs/headers/bodies."""

from __future__ import annotations

import logging

import httpx
import pytest
from specwire.core import (
    APIKeyAuth,
    HTTPConfig,
    RetryPolicy,
    Secret,
    SecretFilter,
    ServerError,
    build_client,
    redact_body,
    redact_headers,
    redact_json_body,
    redact_text,
    redact_url,
    register_secret,
)
from specwire.core.redact import registered_secret_count


def test_registered_secrets_are_masked_raw_and_url_encoded() -> None:
    secret = "p@ss/word+with spaces=1"
    register_secret(secret)
    assert redact_text(f"a {secret} b") == "a *** b"
    assert redact_text("q=p%40ss%2Fword%2Bwith%20spaces%3D1") == "q=***"
    assert redact_text("q=p%40ss%2Fword%2Bwith+spaces%3D1") == "q=***"


def test_short_and_empty_values_are_not_registered() -> None:
    before = registered_secret_count()
    register_secret("")
    register_secret(None)
    register_secret("abc")
    assert registered_secret_count() == before
    assert redact_text("abc abc") == "abc abc"


def test_redact_url_masks_named_params_userinfo_and_registered_values() -> None:
    registered = "reg-secret-in-path-4242"
    register_secret(registered)
    url = f"https://user:hunter2hunter@h.test/v/{registered}?apiKey=k1&api_key=k2&access_token=t&signature=s&page=2"
    shown = redact_url(url)
    for leaked in ("hunter2hunter", registered, "k1", "k2", "=t&", "=s&"):
        assert leaked not in shown
    assert "page=2" in shown and "apiKey=***" in shown
    assert redact_url(httpx.URL("https://h.test/a?x=1")) == "https://h.test/a?x=1"


def test_redact_headers_masks_credentials_and_keeps_the_rest() -> None:
    headers = httpx.Headers(
        {
            "Authorization": "Bearer abcdef",
            "x-api-key": "k",
            "Cookie": "sid=1",
            "X-Restless-Signature": "sig",
            "Accept": "application/json",
        }
    )
    shown = redact_headers(headers)
    assert (
        shown["authorization"]
        == shown["x-api-key"]
        == shown["cookie"]
        == shown["x-restless-signature"]
        == "***"
    )
    assert shown["accept"] == "application/json"


def test_redact_json_body_masks_named_keys_at_any_depth() -> None:
    body = {
        "userName": "trader",
        "apiKey": "k-123",
        "nested": [{"password": "pw"}, {"refresh_token": "rt", "size": 2}],
        "signature": None,
    }
    shown = redact_json_body(body)
    assert shown == {
        "userName": "trader",
        "apiKey": "***",
        "nested": [{"password": "***"}, {"refresh_token": "***", "size": 2}],
        "signature": None,
    }
    assert body["apiKey"] == "k-123"  # the original is untouched
    assert redact_body(b'{"token": "abc"}') == {"token": "***"}
    assert redact_body(b"\xff\xfe") == "<2 bytes>"


def test_secret_wrapper_never_shows_its_value() -> None:
    s = Secret("wrapped-secret-value-1")
    assert str(s) == "***" and f"{s}" == "***" and f"{s:>10}" == "***"
    assert "wrapped" not in repr(s)
    assert s.get() == "wrapped-secret-value-1"
    assert redact_text("x wrapped-secret-value-1") == "x ***"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(s)


def test_log_records_of_specwire_and_httpx_loggers_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    secret = "log-secret-abcdef-123"
    register_secret(secret)
    # Levels on each logger used, not only the root: other tests (the CLI's) configure "specwire".
    for name in (None, "specwire", "specwire.some.child", "httpx"):
        caplog.set_level(logging.DEBUG, logger=name)
    logging.getLogger("specwire.some.child").info("key is %s", secret)
    logging.getLogger("httpx").info("HTTP Request: GET https://h.test/?k=%s", secret)
    logging.getLogger("specwire").warning(f"inline {secret}")
    assert len(caplog.records) == 3
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert "***" in record.getMessage()
    assert secret not in caplog.text


def test_secret_filter_scrubs_records_from_other_loggers() -> None:
    secret = "filter-secret-zyxwv-987"
    register_secret(secret)
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "token=%s", (secret,), None)
    assert SecretFilter().filter(record) is True
    assert record.getMessage() == "token=***"


def test_api_key_never_in_http_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    key = "rs_live_never_logged_55aa"
    caplog.set_level(logging.DEBUG, logger="specwire")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"message": f"upstream echoed {key}", "apiKey": key})

    cfg = HTTPConfig(
        "https://api.example.test",
        auth=APIKeyAuth(key),
        retry_policy=RetryPolicy(max_retries=1, sleep=lambda s: None),
        transport=httpx.MockTransport(handler),
    )
    with build_client(cfg) as client, pytest.raises(ServerError) as info:
        client.post("/streams", params={"apiKey": key}, json={"apiKey": key, "name": "n"})
    messages = [r.getMessage() for r in caplog.records]
    assert any("HTTP request POST" in m for m in messages)
    assert not any("Retrying" in m for m in messages)  # a POST is not retried
    for text in [*messages, str(info.value), repr(info.value), repr(info.value.body), str(info.value.url)]:
        assert key not in text


def test_tracebacks_in_log_records_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    secret = "traceback-secret-77aa88bb"
    register_secret(secret)
    caplog.set_level(logging.ERROR, logger="specwire")
    try:
        raise RuntimeError(f"login failed for key {secret}")
    except RuntimeError:
        logging.getLogger("specwire.auth").exception("renewal failed")
    assert "RuntimeError: login failed for key ***" in caplog.text
    assert secret not in caplog.text
