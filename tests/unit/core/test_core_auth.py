"""API keys and bearer tokens: injected on every request, renewed once per expiry, never shown."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from specwire.core import (
    APIKeyAuth,
    APIKeyQueryAuth,
    AuthenticationError,
    BearerTokenAuth,
    CachedTokenProvider,
    ConfigurationError,
    HTTPConfig,
    build_async_client,
    build_client,
)
from specwire.core.tokens import TokenRenewalCancelled

BASE = "https://gw.example.test"
OLD = "tok-old-5f2a9c81e7"
NEW = "tok-new-b61d04e3aa"


class TokenServer:
    """Accepts only ``Bearer NEW``; counts what it saw per token (thread-safe)."""

    def __init__(self, accept: str | None = NEW) -> None:
        self.accept = accept
        self.lock = threading.Lock()
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        header = request.headers.get("authorization", "")
        with self.lock:
            self.seen.append(header)
        if self.accept is not None and header == f"Bearer {self.accept}":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json={"message": "token expired"})


class CountingFetch:
    def __init__(self, token: str = NEW, pause: float = 0.02) -> None:
        self.token = token
        self.pause = pause
        self.calls: list[str | None] = []
        self.lock = threading.Lock()

    def __call__(self, stale: str | None) -> str:
        with self.lock:
            self.calls.append(stale)
        time.sleep(self.pause)  # let concurrent 401s pile up behind the leader
        return self.token

    async def afetch(self, stale: str | None) -> str:
        with self.lock:
            self.calls.append(stale)
        await asyncio.sleep(self.pause)
        return self.token


def test_api_key_header_and_repr() -> None:
    seen: list[httpx.Request] = []
    key = "rs_live_header_0123456789"
    auth = APIKeyAuth(key)
    with build_client(
        HTTPConfig(
            BASE, auth=auth, transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(200))
        )
    ) as client:
        client.get("/streams")
    assert seen[0].headers["x-api-key"] == key
    assert key not in repr(auth) and "***" in repr(auth)
    prefixed = APIKeyAuth(key, header="Authorization", prefix="Bearer ")
    request = next(prefixed.auth_flow(httpx.Request("GET", BASE)))
    assert request.headers["authorization"] == f"Bearer {key}"


def test_api_key_query_param_replaces_any_existing_one() -> None:
    seen: list[httpx.Request] = []
    key = "rundown_query_key_987654"
    transport = httpx.MockTransport(
        lambda r: seen.append(r) or httpx.Response(403, json={"message": "denied"})
    )
    cfg = HTTPConfig(BASE, auth=APIKeyQueryAuth(key), transport=transport)
    with build_client(cfg) as client, pytest.raises(Exception) as info:
        client.get("/api/v2/sports", params={"key": "other", "date": "2026-01-01"})
    assert seen[0].url.params.get_list("key") == [key]
    assert seen[0].url.params["date"] == "2026-01-01"
    assert key not in str(info.value) and key not in repr(info.value)


@pytest.mark.parametrize("bad", ["", "   ", None, 12345, "line\nbreak"])
def test_bad_keys_are_rejected_before_anything_is_sent(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="API key"):
        APIKeyAuth(bad)  # type: ignore[arg-type]


def test_bearer_auth_rejects_objects_that_are_not_token_providers() -> None:
    with pytest.raises(ConfigurationError, match="get_token"):
        BearerTokenAuth(object())  # type: ignore[arg-type]


def test_twenty_threads_with_an_expired_token_trigger_one_renewal() -> None:
    server = TokenServer()
    fetch = CountingFetch()
    provider = CachedTokenProvider(fetch)
    provider.set_token(OLD)
    cfg = HTTPConfig(BASE, auth=BearerTokenAuth(provider), transport=httpx.MockTransport(server))
    results: list[int] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(20)
    with build_client(cfg) as client:

        def call() -> None:
            gate.wait()
            try:
                results.append(client.get("/api/Account/search").status_code)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert results == [200] * 20
    assert fetch.calls == [OLD]  # exactly one renewal, told which token went stale
    assert provider.token == NEW and provider.renewals == 1
    assert server.seen.count(f"Bearer {NEW}") == 20  # every caller replayed (or sent) once with the new token
    assert server.seen.count(f"Bearer {OLD}") <= 20


async def test_twenty_tasks_with_an_expired_token_trigger_one_renewal() -> None:
    server = TokenServer()
    fetch = CountingFetch()
    provider = CachedTokenProvider(fetch, fetch.afetch)
    provider.set_token(OLD)
    cfg = HTTPConfig(BASE, auth=BearerTokenAuth(provider), transport=httpx.MockTransport(server))
    async with build_async_client(cfg) as client:
        responses = await asyncio.gather(*(client.get("/api/Account/search") for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert fetch.calls == [OLD]
    assert server.seen.count(f"Bearer {NEW}") == 20


async def test_threads_and_tasks_wait_for_the_same_renewal() -> None:
    release = threading.Event()
    calls: list[str | None] = []

    def slow_fetch(stale: str | None) -> str:
        calls.append(stale)
        release.wait(5)
        return NEW

    provider = CachedTokenProvider(slow_fetch)
    provider.set_token(OLD)
    leader_result: list[str] = []
    leader = threading.Thread(target=lambda: leader_result.append(provider.renew(OLD)))
    leader.start()
    while not calls:
        await asyncio.sleep(0.001)
    waiters = asyncio.gather(*(provider.arenew(OLD) for _ in range(5)))
    await asyncio.sleep(0)
    release.set()
    assert await waiters == [NEW] * 5
    leader.join()
    assert leader_result == [NEW] and calls == [OLD]


def test_second_401_raises_authentication_error_without_looping() -> None:
    server = TokenServer(accept=None)  # rejects every token
    fetch = CountingFetch(pause=0.0)
    provider = CachedTokenProvider(fetch)
    provider.set_token(OLD)
    cfg = HTTPConfig(BASE, auth=BearerTokenAuth(provider), transport=httpx.MockTransport(server))
    with build_client(cfg) as client, pytest.raises(AuthenticationError) as info:
        client.post("/api/Order/place", json={"accountId": 1})
    assert server.seen == [f"Bearer {OLD}", f"Bearer {NEW}"]
    assert fetch.calls == [OLD]
    assert NEW not in str(info.value) and OLD not in repr(info.value)


async def test_async_second_401_raises_authentication_error() -> None:
    server = TokenServer(accept=None)
    fetch = CountingFetch(pause=0.0)
    provider = CachedTokenProvider(fetch, fetch.afetch)
    provider.set_token(OLD)
    cfg = HTTPConfig(BASE, auth=BearerTokenAuth(provider), transport=httpx.MockTransport(server))
    async with build_async_client(cfg) as client:
        with pytest.raises(AuthenticationError):
            await client.get("/x")
    assert len(server.seen) == 2 and fetch.calls == [OLD]


def test_first_use_fetches_and_later_calls_reuse_the_token() -> None:
    fetch = CountingFetch(pause=0.0)
    provider = CachedTokenProvider(fetch)
    assert provider.get_token() == NEW
    assert provider.get_token() == NEW
    assert fetch.calls == [None]
    # A caller holding an older stale token gets the current one without another fetch.
    assert provider.renew("some-older-token") == NEW
    assert fetch.calls == [None]


def test_max_age_renews_before_use() -> None:
    now = [0.0]
    fetch = CountingFetch(pause=0.0)
    provider = CachedTokenProvider(fetch, max_age=100.0, clock=lambda: now[0])
    provider.set_token(OLD)
    assert provider.get_token() == OLD
    now[0] = 150.0
    assert provider.get_token() == NEW
    assert fetch.calls == [OLD]


def test_failed_renewal_reaches_every_waiter_and_allows_a_retry() -> None:
    attempts: list[str | None] = []
    gate = threading.Event()
    service_up = threading.Event()

    def login(stale: str | None) -> str:
        attempts.append(stale)
        if service_up.is_set():
            return NEW
        gate.wait(5)
        raise RuntimeError("login service down")

    provider = CachedTokenProvider(login)
    provider.set_token(OLD)
    outcomes: list[BaseException] = []

    def call() -> None:
        try:
            provider.renew(OLD)
        except BaseException as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for t in threads:
        t.start()
    while not attempts:
        time.sleep(0.001)
    gate.set()
    for t in threads:
        t.join()
    assert len(outcomes) == 5 and all(isinstance(e, RuntimeError) for e in outcomes)
    assert attempts[0] == OLD
    assert provider.token == OLD  # a failed renewal does not replace the token
    service_up.set()
    assert provider.renew(OLD) == NEW


async def test_cancelled_async_leader_releases_waiters() -> None:
    started = asyncio.Event()

    async def never(stale: str | None) -> str:
        started.set()
        await asyncio.sleep(30)
        return NEW

    provider = CachedTokenProvider(lambda stale: NEW, never)
    provider.set_token(OLD)
    leader = asyncio.create_task(provider.arenew(OLD))
    await started.wait()
    waiter = asyncio.create_task(provider.arenew(OLD))
    await asyncio.sleep(0)
    leader.cancel()
    with pytest.raises(TokenRenewalCancelled):
        await waiter
    with pytest.raises(asyncio.CancelledError):
        await leader


def test_provider_repr_hides_the_token() -> None:
    provider = CachedTokenProvider(lambda stale: NEW)
    provider.set_token(OLD)
    assert OLD not in repr(provider)
    assert OLD not in repr(BearerTokenAuth(provider))


def test_api_key_overwrite_false_keeps_a_caller_supplied_header() -> None:
    auth = APIKeyAuth("configured-key-000111", overwrite=False)
    mine = next(auth.auth_flow(httpx.Request("GET", BASE, headers={"x-api-key": "caller-key"})))
    assert mine.headers["x-api-key"] == "caller-key"
    default = next(auth.auth_flow(httpx.Request("GET", BASE)))
    assert default.headers["x-api-key"] == "configured-key-000111"


def test_replay_after_401_resends_the_same_body() -> None:
    bodies: list[tuple[str, bytes]] = []

    def server(request: httpx.Request) -> httpx.Response:
        bodies.append((request.headers["authorization"], request.content))
        ok = request.headers["authorization"] == f"Bearer {NEW}"
        return httpx.Response(200 if ok else 401, json={})

    provider = CachedTokenProvider(CountingFetch(pause=0.0))
    provider.set_token(OLD)
    cfg = HTTPConfig(BASE, auth=BearerTokenAuth(provider), transport=httpx.MockTransport(server))
    with build_client(cfg) as client:
        assert client.post("/api/Order/place", json={"accountId": 7, "size": 1}).status_code == 200
    assert bodies == [
        (f"Bearer {OLD}", b'{"accountId":7,"size":1}'),
        (f"Bearer {NEW}", b'{"accountId":7,"size":1}'),
    ]
