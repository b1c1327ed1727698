"""API keys and tokens never show up in logs, reprs or exception text."""

from __future__ import annotations

import logging

import httpx
import pytest
from specwire.projectx import APIClient, AuthenticationError, ProjectX, ProjectXConfig

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway


def test_no_secret_in_logs_reprs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    gateway = FakeGateway()
    caplog.set_level(logging.DEBUG)
    px = ProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport(), reconcile_delay=0.0)
    px.accounts.search()
    token = px.session.token
    assert token
    # A failure whose body echoes both secrets (some servers do).
    gateway.script(
        "/api/Order/search",
        lambda r: httpx.Response(500, json={"errorMessage": f"bad token {token} for key {API_KEY}"}),
    )
    gateway.script(
        "/api/Order/search",
        lambda r: httpx.Response(500, json={"errorMessage": f"bad token {token} for key {API_KEY}"}),
    )
    gateway.script(
        "/api/Order/search",
        lambda r: httpx.Response(500, json={"errorMessage": f"bad token {token} for key {API_KEY}"}),
    )
    from datetime import UTC, datetime

    from specwire.core.retry import RetryPolicy

    px2 = ProjectX(
        api_key=API_KEY,
        username=USERNAME,
        transport=gateway.transport(),
        token=token,
        retry_policy=RetryPolicy(sleep=lambda s: None),
    )
    with pytest.raises(Exception) as info:
        px2.orders.search(465, datetime(2025, 1, 1, tzinfo=UTC))
    err = info.value
    texts = [
        str(err),
        repr(err),
        repr(getattr(err, "body", "")),
        repr(px),
        repr(px.session),
        repr(px.config),
        str(px.config.api_key),
        repr(APIClient(config=px.config, transport=gateway.transport())),
        caplog.text,
    ]
    for text in texts:
        assert API_KEY not in text
        assert token not in text


def test_failed_login_error_does_not_echo_the_key() -> None:
    gateway = FakeGateway()
    px = ProjectX(api_key="wrong-but-secret-key", username=USERNAME, transport=gateway.transport())
    with pytest.raises(AuthenticationError) as info:
        px.accounts.search()
    assert "wrong-but-secret-key" not in str(info.value) + repr(info.value) + repr(info.value.body)


def test_config_repr_masks_credentials() -> None:
    config = ProjectXConfig(
        username=USERNAME, api_key=API_KEY, app_password="pw-secret-9", app_verify_key="vk-secret-9"
    )
    text = repr(config) + str(config)
    for secret in (API_KEY, "pw-secret-9", "vk-secret-9"):
        assert secret not in text
