"""Facade behaviour over a mock transport: auth, validation before sending, usage, 429 kinds, limiter."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from specwire.core.errors import ConfigurationError, NotFoundError, RateLimitError
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.retry import RetryPolicy
from specwire.therundown import (
    AsyncTheRundown,
    RateLimitKind,
    TheRundown,
    TheRundownNotFoundError,
    TheRundownRateLimitError,
)

from tests.contract.therundown.cassette_data import EVENT, example

KEY = "unit-test-key-9f8e7d6c5b4a"
SNAPSHOT = example("/api/v2/sports/{sportID}/events/{date}")


class Recorder:
    """A MockTransport handler that answers from a queue and records every request."""

    def __init__(self, *answers: httpx.Response | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request) if callable(answer) else answer


def client(recorder: Recorder, **kwargs: Any) -> TheRundown:
    kwargs.setdefault("requests_per_second", 1000)
    return TheRundown(KEY, transport=httpx.MockTransport(recorder), **kwargs)


def ok(body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


def test_key_goes_in_the_header_by_default_and_in_the_query_on_request() -> None:
    rec = Recorder(ok(SNAPSHOT))
    client(rec).events(4, "2026-01-15")
    assert rec.requests[0].headers["X-TheRundown-Key"] == KEY
    assert "key" not in rec.requests[0].url.params
    client(rec, auth="query").events(4, "2026-01-15")
    assert rec.requests[1].url.params["key"] == KEY
    assert "x-therundown-key" not in rec.requests[1].headers


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THERUNDOWN_API_KEY", KEY)
    rec = Recorder(ok(SNAPSHOT))
    TheRundown(transport=httpx.MockTransport(rec), requests_per_second=1000).event(EVENT)
    assert rec.requests[0].headers["X-TheRundown-Key"] == KEY


def test_public_endpoints_work_without_a_key_and_the_rest_refuse_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("THERUNDOWN_API_KEY", raising=False)
    rec = Recorder(ok({"sports": [{"sport_id": 4, "sport_name": "NBA"}]}))
    anonymous = TheRundown(transport=httpx.MockTransport(rec), requests_per_second=1000)
    assert anonymous.sports().sports[0].sport_name == "NBA"
    assert "x-therundown-key" not in rec.requests[0].headers
    with pytest.raises(ConfigurationError, match="THERUNDOWN_API_KEY"):
        anonymous.events(4, "2026-01-15")
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda r: r.events(4, "2026-13-01"), "'2026-13-01'"),
        (lambda r: r.events(4, "15/01/2026"), "'15/01/2026'"),
        (lambda r: r.events("curling", "2026-01-15"), "'curling'"),
        (lambda r: r.events(4, "2026-01-15", affiliate_ids=["DraftKings", "Acme"]), "'Acme'"),
        (lambda r: r.events(4, "2026-01-15", market_ids=range(1, 14)), "got 13"),
        (lambda r: r.events(4, "2026-01-15", affiliate_ids=[0, 19]), "scores only"),
        (lambda r: r.events(4, "2026-01-15", offset=900), "900"),
        (lambda r: r.events(4, "2026-01-15", main_line="yes"), "'yes'"),
        (lambda r: r.events(4, "2026-01-15", participant_type="coach"), "'coach'"),
        (lambda r: r.event("not an id!"), "'not an id!'"),
        (lambda r: r.market_history(EVENT, from_=dt.datetime(2026, 1, 1)), "timezone-aware"),
        (lambda r: r.market_history(EVENT, limit=6000), "6000"),
        (lambda r: r.market_delta(0), "never 0"),
        (lambda r: r.event_delta("abc"), "'abc'"),
        (lambda r: r.price_history(range(51)), "got 51"),
        (lambda r: r.best_line(EVENT, period="overtime"), "'overtime'"),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(call: Callable[[TheRundown], Any], needle: str) -> None:
    rec = Recorder(ok(SNAPSHOT))
    with pytest.raises(ConfigurationError) as caught:
        call(client(rec))
    assert needle in str(caught.value)
    assert rec.requests == []


def test_names_become_ids_on_the_wire() -> None:
    rec = Recorder(ok(SNAPSHOT))
    client(rec).events(
        "NBA",
        dt.date(2026, 1, 15),
        market_ids=["moneyline", "spread", "totals"],
        affiliate_ids=["DraftKings", "FanDuel"],
        main_line=True,
        exclude_status=["final"],
        participant_type="player",
        all_periods=True,
    )
    url = rec.requests[0].url
    assert url.path == "/api/v2/sports/4/events/2026-01-15"
    assert dict(url.params) == {
        "market_ids": "1,2,3",
        "affiliate_ids": "19,23",
        "main_line": "true",
        "exclude_status": "STATUS_FINAL",
        "participant_type": "TYPE_PLAYER",
        "include": "all_periods",
    }


USAGE = {
    "X-Datapoints": "7",
    "X-Datapoints-Remaining": "19000",
    "X-Datapoints-Limit": "20000",
    "X-Datapoints-Period": "daily",
    "X-Tier": "Free",
    "X-Data-Delay-Seconds": "300",
    "X-Websocket-Access": "false",
}


def test_usage_headers_per_response_and_running_totals() -> None:
    rec = Recorder(
        ok(SNAPSHOT, **USAGE),
        ok(SNAPSHOT, **{**USAGE, "X-Datapoints": "5", "X-Datapoints-Remaining": "18995"}),
    )
    rundown = client(rec)
    rundown.events(4, "2026-01-15")
    first = rundown.last_usage
    assert first is not None
    assert (first.datapoints, first.remaining, first.limit, first.period, first.tier) == (
        7,
        19000,
        20000,
        "daily",
        "free",
    )
    assert first.data_delay_seconds == 300 and first.websocket_access is False and not first.is_real_time
    rundown.events(4, "2026-01-15")
    assert rundown.usage.snapshot() == {
        "requests": 2,
        "datapoints": 12,
        "remaining": 18995,
        "limit": 20000,
        "period": "daily",
        "tier": "free",
    }


def _waiting(sleeps: list[float]) -> dict[str, Any]:
    """A retry policy and a limiter that record their waits instead of sleeping."""
    return {
        "retry_policy": RetryPolicy(max_retries=2, sleep=sleeps.append),
        "rate_limiter": RateLimiter([RateLimit(1000, 1.0)], sleep=sleeps.append),
    }


def test_burst_429_waits_retry_after_and_retries() -> None:
    sleeps: list[float] = []
    burst = httpx.Response(
        429, json={"error": "Rate limit exceeded"}, headers={"Retry-After": "1", "X-Datapoints": "0"}
    )
    rec = Recorder(burst, ok(SNAPSHOT, **USAGE))
    result = client(rec, **_waiting(sleeps)).events(4, "2026-01-15")
    assert result.events[0].sport_id == 4
    assert len(rec.requests) == 2 and sum(sleeps) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Daily data point limit reached", RateLimitKind.DAILY_QUOTA),
        ("Monthly data point limit reached", RateLimitKind.MONTHLY_QUOTA),
    ],
)
def test_quota_429_is_raised_at_once_without_retry(text: str, kind: RateLimitKind) -> None:
    sleeps: list[float] = []
    rec = Recorder(httpx.Response(429, json={"error": text}, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimitError) as caught:
        client(rec, **_waiting(sleeps)).events(4, "2026-01-15")
    err = caught.value
    assert isinstance(err, TheRundownRateLimitError) and err.kind is kind and err.kind.is_quota
    assert err.message == text and err.status_code == 429
    assert len(rec.requests) == 1 and sleeps == []


def test_burst_429_that_persists_surfaces_as_burst_kind() -> None:
    sleeps: list[float] = []
    rec = Recorder(httpx.Response(429, json={"error": "Rate limit exceeded"}, headers={"Retry-After": "1"}))
    with pytest.raises(TheRundownRateLimitError) as caught:
        client(rec, **_waiting(sleeps)).sports()
    assert caught.value.kind is RateLimitKind.BURST and caught.value.retry_after == 1.0
    assert len(rec.requests) == 3 and sum(sleeps) == pytest.approx(2.0, abs=0.1)


def test_errors_are_both_provider_and_core_classes_and_never_show_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(httpx.Response(404, json={"error": "event not found"}))
    rundown = client(rec, auth="query")
    with pytest.raises(NotFoundError) as caught:
        rundown.event(EVENT)
    err = caught.value
    assert isinstance(err, TheRundownNotFoundError)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in (err.url or "")
    assert KEY not in repr(rundown) and "***" in repr(rundown)
    assert KEY not in caplog.text


@pytest.mark.parametrize(("tier", "rps"), [("free", 1), ("pro", 5), ("ULTRA", 10), ("mega", 20)])
def test_limiter_follows_the_tier(tier: str, rps: int) -> None:
    rundown = TheRundown(KEY, tier=tier, transport=httpx.MockTransport(Recorder(ok(SNAPSHOT))))
    limiter = rundown._config.rate_limiter
    assert limiter is not None and [(r.limit, r.period) for r in limiter.rules] == [(rps, 1.0)]


def test_limiter_spaces_requests_to_the_tier_rate() -> None:
    waits: list[float] = []
    rundown = TheRundown(KEY, tier="starter", transport=httpx.MockTransport(Recorder(ok(SNAPSHOT))))
    limiter = rundown._config.rate_limiter
    assert limiter is not None
    limiter._sleep = waits.append  # record instead of waiting
    for _ in range(4):
        rundown.sports()
    # 2 requests/s: the first two go at once, the next ones wait for the window
    assert waits[0] > 0.5 and len(waits) == 2


def test_unknown_tier_and_bad_options_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="'platinum'"):
        TheRundown(KEY, tier="platinum")
    with pytest.raises(ConfigurationError, match="'cookie'"):
        TheRundown(KEY, auth="cookie")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="requests_per_second"):
        TheRundown(KEY, requests_per_second=0)


async def test_async_client_has_the_same_surface_and_behaviour() -> None:
    public = {n for n in dir(TheRundown) if not n.startswith("_") and n not in ("close",)}
    apublic = {n for n in dir(AsyncTheRundown) if not n.startswith("_") and n not in ("aclose",)}
    assert public == apublic
    rec = Recorder(ok(SNAPSHOT, **USAGE))
    async with AsyncTheRundown(KEY, transport=httpx.MockTransport(rec), requests_per_second=1000) as rundown:
        result = await rundown.events("NBA", "2026-01-15", market_ids=["moneyline"])
        with pytest.raises(ConfigurationError):
            await rundown.events(4, "bad-date")
    assert result.meta.delta_last_id == "193500000"
    assert rec.requests[0].url.params["market_ids"] == "1" and len(rec.requests) == 1
    assert rundown.usage.datapoints == 7
