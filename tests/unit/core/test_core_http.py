"""The assembled client: defaults, typed errors after auth, streamed errors, logging, config checks."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from specwire.core import (
    USER_AGENT,
    APIConnectionError,
    BadRequestError,
    ConfigurationError,
    ErrorFamily,
    HTTPConfig,
    NotFoundError,
    build_async_client,
    build_client,
)
from specwire.core import logging as core_logging

BASE = "https://api.example.test/v1"


def echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"path": request.url.path, "headers": dict(request.headers)})


def test_defaults_user_agent_headers_and_base_url() -> None:
    cfg = HTTPConfig(BASE, headers={"X-Client": "tests"}, transport=httpx.MockTransport(echo))
    with build_client(cfg) as client:
        body = client.get("/things").json()
    assert body["path"] == "/v1/things"
    assert body["headers"]["user-agent"] == USER_AGENT
    assert body["headers"]["x-client"] == "tests"
    assert USER_AGENT.startswith("specwire/")


def test_non_2xx_raises_typed_error_from_a_custom_family() -> None:
    class ProviderError(Exception):
        pass

    family = ErrorFamily.derive(ProviderError, prefix="Prov")
    transport = httpx.MockTransport(lambda r: httpx.Response(404, json={"message": "missing"}))
    with (
        build_client(HTTPConfig(BASE, transport=transport, error_family=family)) as client,
        pytest.raises(ProviderError) as info,
    ):
        client.get("/things/9")
    assert isinstance(info.value, NotFoundError)
    assert str(info.value) == "404 Not Found: missing (GET https://api.example.test/v1/things/9)"


def test_streamed_error_response_is_read_and_raised() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(400, json={"detail": "bad cursor"}))
    with (
        build_client(HTTPConfig(BASE, transport=transport)) as client,
        pytest.raises(BadRequestError) as info,
        client.stream("GET", "/events"),
    ):
        pass
    assert info.value.message == "bad cursor"


def test_raise_for_status_off_returns_the_response() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(404, json={}))
    with build_client(HTTPConfig(BASE, transport=transport, raise_for_status=False)) as client:
        assert client.get("/x").status_code == 404


class BrokenBody(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'{"partial'
        raise httpx.ReadError("connection reset while reading body")


def test_transport_failure_while_reading_the_body_is_an_api_connection_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, stream=BrokenBody()))
    with (
        build_client(HTTPConfig(BASE, transport=transport, max_retries=0)) as client,
        pytest.raises(APIConnectionError) as info,
    ):
        client.get("/x")
    assert isinstance(info.value.__cause__, httpx.ReadError)


def test_body_cut_off_mid_read_is_re_sent_for_a_read_but_not_for_a_write() -> None:
    from specwire.core import RetryPolicy

    calls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1 or request.method == "POST":
            return httpx.Response(200, stream=BrokenBody())
        return httpx.Response(200, json={"bars": []})

    slept: list[float] = []
    policy = RetryPolicy(sleep=slept.append)
    with build_client(HTTPConfig(BASE, transport=httpx.MockTransport(server), retry_policy=policy)) as client:
        assert client.get("/bars").json() == {"bars": []}
        assert calls == ["GET", "GET"] and len(slept) == 1
        with pytest.raises(APIConnectionError):
            client.post("/orders", json={"qty": 1})
        assert calls == ["GET", "GET", "POST"]


class AsyncBrokenBody(httpx.AsyncByteStream):
    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b'{"partial'
        raise httpx.ReadError("connection reset while reading body")


async def test_async_body_cut_off_mid_read_is_re_sent_for_a_read() -> None:
    from specwire.core import RetryPolicy

    calls: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(200, stream=AsyncBrokenBody())

    async def asleep(_delay: float) -> None:
        return None

    policy = RetryPolicy(max_retries=1, asleep=asleep)
    async with build_async_client(
        HTTPConfig(BASE, transport=httpx.MockTransport(server), retry_policy=policy)
    ) as c:
        with pytest.raises(APIConnectionError):
            await c.get("/bars")
    assert calls == ["GET", "GET"]


async def test_async_client_has_the_same_behaviour() -> None:
    transport = httpx.MockTransport(
        lambda r: echo(r) if r.url.path.endswith("/ok") else httpx.Response(404, json={"message": "nope"})
    )
    async with build_async_client(HTTPConfig(BASE, transport=transport)) as client:
        assert (await client.get("/ok")).json()["headers"]["user-agent"] == USER_AGENT
        with pytest.raises(NotFoundError):
            await client.get("/missing")


def test_user_event_hooks_run_alongside_logging() -> None:
    seen: list[str] = []
    cfg = HTTPConfig(
        BASE,
        transport=httpx.MockTransport(echo),
        event_hooks={
            "request": [lambda r: seen.append(f"req {r.method}")],
            "response": [lambda r: seen.append("resp")],
        },
    )
    with build_client(cfg) as client:
        client.get("/x")
    assert seen == ["req GET", "resp"]


def test_response_is_logged_with_status_and_elapsed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="specwire.http")
    with build_client(HTTPConfig(BASE, transport=httpx.MockTransport(echo))) as client:
        client.get("/things", params={"token": "abc-very-secret"})
    lines = [r.getMessage() for r in caplog.records if r.name == "specwire.http"]
    assert any(
        line.startswith("HTTP GET https://api.example.test/v1/things?token=*** -> 200 OK (") and "ms)" in line
        for line in lines
    ), lines
    assert "abc-very-secret" not in caplog.text


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"base_url": "api.example.test"}, "base_url"),
        ({"base_url": "ftp://h.test"}, "base_url"),
        ({"base_url": BASE, "timeout": 0}, "timeout"),
        ({"base_url": BASE, "max_retries": -1}, "max_retries"),
        ({"base_url": BASE, "auth": "key"}, "auth"),
        ({"base_url": BASE, "rate_limiter": object()}, "rate_limiter"),
    ],
)
def test_bad_config_is_rejected_naming_the_value(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle):
        HTTPConfig(**kwargs)  # type: ignore[arg-type]


def test_wrong_transport_kind_is_rejected() -> None:
    class SyncOnly(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200)

    with pytest.raises(ConfigurationError, match="AsyncBaseTransport"):
        build_async_client(HTTPConfig(BASE, transport=SyncOnly()))


def test_sensitive_default_headers_are_registered_as_secrets() -> None:
    from specwire.core import redact_text

    key = "default-header-key-31337"
    build_client(HTTPConfig(BASE, headers={"x-api-key": key}, transport=httpx.MockTransport(echo))).close()
    assert redact_text(key) == "***"


def test_specwire_log_env_var_installs_one_stderr_handler() -> None:
    root = logging.getLogger("specwire")
    old_level = root.level
    try:
        handler = core_logging.setup_logging_from_env({"SPECWIRE_LOG": "debug"})
        assert handler is not None and handler in root.handlers
        assert root.level == logging.DEBUG
        again = core_logging.setup_logging_from_env({"SPECWIRE_LOG": "info"})
        assert again is handler and root.handlers.count(handler) == 1
        assert handler.level == logging.INFO
        assert core_logging.setup_logging_from_env({}) is None
    finally:
        if core_logging._env_handler is not None:
            root.removeHandler(core_logging._env_handler)
            core_logging._env_handler = None
        root.setLevel(old_level)
