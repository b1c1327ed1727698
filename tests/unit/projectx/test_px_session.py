"""The token session: login, renewal before expiry and on 401, single flight, fallback, listeners."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import httpx
import pytest
from specwire.projectx import AsyncProjectX, AuthenticationError, ConfigurationError, ProjectX, jwt_expiry
from specwire.projectx.config import ProjectXConfig

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway, make_jwt


def test_first_request_logs_in_and_sends_the_bearer_token(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    assert gateway.calls["/api/Auth/loginKey"] == 1
    sent = gateway.requests[-1]
    assert sent.headers["authorization"] == f"Bearer {px.session.token}"
    assert jwt_expiry(px.session.token or "") is not None


def test_token_is_renewed_with_validate_before_it_expires(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    first = px.session.token
    expires = jwt_expiry(first or "")
    assert expires is not None
    # Just outside the renewal margin (default 10 min): the token is used as is.
    px.session.clock = lambda: expires - px.session.renew_margin - 5
    px.accounts.search()
    assert gateway.calls["/api/Auth/validate"] == 0
    # Inside the margin: renewed with Auth/validate before the request, no new login.
    px.session.clock = lambda: expires - px.session.renew_margin + 5
    px.accounts.search()
    assert gateway.calls["/api/Auth/validate"] == 1
    assert gateway.calls["/api/Auth/loginKey"] == 1
    assert px.session.token != first
    assert gateway.requests[-1].headers["authorization"] == f"Bearer {px.session.token}"


def test_expiry_is_read_from_the_jwt(px: ProjectX) -> None:
    exp = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    px.session.set_token(make_jwt(exp))
    assert px.session.expires_at == exp


def test_401_from_many_threads_renews_once(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    gateway.expire_all()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            px.accounts.search()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # validate fails for the expired token (the fake rejects it), so exactly one fresh login follows.
    assert gateway.calls["/api/Auth/validate"] == 1
    assert gateway.calls["/api/Auth/loginKey"] == 2


async def test_401_from_many_tasks_renews_once(apx: AsyncProjectX, gateway: FakeGateway) -> None:
    await apx.accounts.search()
    token = apx.session.token
    gateway.expire_all()
    await asyncio.gather(*(apx.accounts.search() for _ in range(10)))
    assert gateway.calls["/api/Auth/loginKey"] == 2
    assert gateway.calls["/api/Auth/validate"] == 1
    assert apx.session.token != token


def test_validate_is_used_on_401_when_it_works(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    stale = px.session.token
    # The server stops accepting the token for data calls but validate still renews it.
    gateway.script("/api/Account/search", lambda request: httpx.Response(401))
    accounts = px.accounts.search()
    assert accounts[0].id == 465
    assert gateway.calls["/api/Auth/validate"] == 1
    assert gateway.calls["/api/Auth/loginKey"] == 1
    assert px.session.token != stale


def test_validate_failure_falls_back_to_login(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    gateway.validate_fails = True
    gateway.script("/api/Account/search", lambda request: httpx.Response(401))
    px.accounts.search()
    assert gateway.calls["/api/Auth/validate"] == 1
    assert gateway.calls["/api/Auth/loginKey"] == 2


def test_second_401_after_renewal_raises_authentication_error(px: ProjectX, gateway: FakeGateway) -> None:
    px.accounts.search()
    gateway.script("/api/Account/search", lambda request: httpx.Response(401))
    gateway.script("/api/Account/search", lambda request: httpx.Response(401))
    with pytest.raises(AuthenticationError) as info:
        px.accounts.search()
    assert info.value.status_code == 401
    assert info.value.endpoint == "Account/search"


def test_wrong_api_key_raises_authentication_error_with_code_name(gateway: FakeGateway) -> None:
    px = ProjectX(api_key="wrong-key-123", username=USERNAME, transport=gateway.transport())
    with pytest.raises(AuthenticationError) as info:
        px.accounts.search()
    err = info.value
    assert (err.endpoint, err.error_code, err.error_name) == ("Auth/loginKey", 3, "InvalidCredentials")
    assert gateway.calls["/api/Account/search"] == 0


def test_app_login_uses_login_app(gateway: FakeGateway) -> None:
    config = ProjectXConfig(
        username=USERNAME, app_password="app-pass-123", app_id="app", app_verify_key="vk-1234"
    )
    px = ProjectX(config=config, transport=gateway.transport())
    px.accounts.search()
    assert gateway.calls["/api/Auth/loginApp"] == 1
    assert gateway.calls["/api/Auth/loginKey"] == 0


def test_listeners_hear_every_new_token(px: ProjectX, gateway: FakeGateway) -> None:
    heard: list[str] = []
    px.session.add_token_listener(heard.append)
    px.accounts.search()
    gateway.expire_all()
    px.accounts.search()
    assert heard == [heard[0], px.session.token]
    assert len(set(heard)) == 2
    px.session.remove_token_listener(heard.append)
    gateway.expire_all()
    px.accounts.search()
    assert len(heard) == 2


async def test_async_listener_coroutines_are_scheduled(apx: AsyncProjectX) -> None:
    got = asyncio.Event()
    seen: list[str] = []

    async def listener(token: str) -> None:
        seen.append(token)
        got.set()

    apx.session.add_token_listener(listener)
    await apx.authenticate()
    await asyncio.wait_for(got.wait(), 1)
    assert seen == [apx.session.token]


def test_missing_credentials_fail_before_any_request(gateway: FakeGateway) -> None:
    with pytest.raises(ConfigurationError, match=r"api_key \(API_KEY\)"):
        ProjectX(username=USERNAME, transport=gateway.transport())
    with pytest.raises(ConfigurationError, match=r"username \(USERNAME\)"):
        ProjectX(api_key=API_KEY, transport=gateway.transport())
    assert sum(gateway.calls.values()) == 0


def test_sync_facade_session_also_serves_async_callers(px: ProjectX, gateway: FakeGateway) -> None:
    """The SignalR streams are asyncio code asking a sync client's session for tokens."""
    token = asyncio.run(px.session.aget_token())
    assert token == px.session.token
    assert gateway.calls["/api/Auth/loginKey"] == 1


def test_hub_urls_follow_the_firm(gateway: FakeGateway) -> None:
    px = ProjectX(api_key=API_KEY, username=USERNAME, firm="Alpha Ticks", transport=gateway.transport())
    assert px.session.market_hub_url == "https://rtc.alphaticks.projectx.com/hubs/market"
    assert px.session.hub_urls["user"] == "https://rtc.alphaticks.projectx.com/hubs/user"
