"""Envelope codes become typed errors per endpoint; rate limits and 429 handling."""

from __future__ import annotations

import threading

import httpx
import pytest
import specwire.core.errors as core
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.retry import RetryPolicy
from specwire.projectx import (
    AccountRejectedError,
    APIError,
    GatewayUnknownError,
    InsufficientFundsError,
    MarketClosedError,
    OrderNotFoundError,
    OrderPendingError,
    OrderRejectedError,
    PositionNotFoundError,
    ProjectX,
    RateLimitError,
)
from specwire.projectx.errors import error_code_name, error_for_envelope
from specwire.projectx.transport import MUTATING_ENDPOINTS, default_rate_limits, is_read_request

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway


class FakeClock:
    """A monotonic clock for the limiter; ``advance=True`` makes ``sleep`` move time forward."""

    def __init__(self, advance: bool = False) -> None:
        self.advance = advance
        self.now = 0.0
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            if self.advance:
                self.now += seconds


@pytest.mark.parametrize(
    ("endpoint", "code", "cls", "name"),
    [
        ("Order/place", 2, OrderRejectedError, "OrderRejected"),
        ("Order/place", 3, InsufficientFundsError, "InsufficientFunds"),
        ("Order/place", 5, MarketClosedError, "OutsideTradingHours"),
        ("Order/place", 6, OrderPendingError, "OrderPending"),
        ("Order/place", 7, GatewayUnknownError, "UnknownError"),
        ("Order/modify", 2, OrderNotFoundError, "OrderNotFound"),
        ("Order/modify", 3, OrderRejectedError, "Rejected"),
        ("Order/cancel", 6, AccountRejectedError, "AccountRejected"),
        ("Position/closeContract", 2, PositionNotFoundError, "PositionNotFound"),
        ("Position/closeContract", 6, OrderPendingError, "OrderPending"),
        ("Position/partialCloseContract", 6, OrderRejectedError, "OrderRejected"),
        ("Position/partialCloseContract", 7, OrderPendingError, "OrderPending"),
    ],
)
def test_codes_are_read_per_endpoint(endpoint: str, code: int, cls: type, name: str) -> None:
    err = error_for_envelope(endpoint, code, "msg")
    assert type(err) is cls
    assert (err.endpoint, err.error_code, err.error_name, err.error_message) == (endpoint, code, name, "msg")
    assert isinstance(err, APIError) and isinstance(err, core.APIError)
    assert f"errorCode {code} ({name})" in str(err)


def test_unknown_codes_keep_their_number() -> None:
    assert error_code_name("Order/place", 42) == "Unknown(42)"
    err = error_for_envelope("Order/place", 42, None)
    assert err.error_code == 42 and isinstance(err, APIError)


def test_http_errors_are_projectx_and_core_classes(px: ProjectX, gateway: FakeGateway) -> None:
    gateway.script("/api/Order/searchOpen", lambda r: httpx.Response(429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimitError) as info:
        px.orders.search_open(465)
    err = info.value
    assert isinstance(err, core.RateLimitError) and isinstance(err, APIError)
    assert err.retry_after == 120.0 and err.endpoint == "Order/searchOpen"
    # Retry-After above the policy's ceiling (60 s): surfaced at once, not waited out.
    assert gateway.calls["/api/Order/searchOpen"] == 1


def test_reads_are_retried_after_429_honouring_retry_after(gateway: FakeGateway) -> None:
    clock = FakeClock()
    limiter = RateLimiter(default_rate_limits(), clock=clock, sleep=clock.sleep)
    slept: list[float] = []
    px = ProjectX(
        api_key=API_KEY,
        username=USERNAME,
        transport=gateway.transport(),
        rate_limiter=limiter,
        retry_policy=RetryPolicy(sleep=slept.append),
    )
    gateway.script("/api/Account/search", lambda r: httpx.Response(429, headers={"Retry-After": "3"}))
    assert px.accounts.search()[0].id == 465
    # The server's pause is honoured once, by whichever layer waits (limiter or retry policy).
    assert slept + clock.slept == [3.0]
    assert gateway.calls["/api/Account/search"] == 2


def test_order_place_is_not_retried_after_429(gateway: FakeGateway) -> None:
    slept: list[float] = []
    px = ProjectX(
        api_key=API_KEY,
        username=USERNAME,
        transport=gateway.transport(),
        retry_policy=RetryPolicy(sleep=slept.append),
    )
    gateway.script("/api/Order/place", lambda r: httpx.Response(429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimitError):
        px.orders.place(465, "CON.F.US.EP.U25", "market", "BUY", 1)
    assert gateway.calls["/api/Order/place"] == 1 and slept == []
    assert gateway.orders == {}


def test_mutations_are_not_reads() -> None:
    for endpoint in MUTATING_ENDPOINTS:
        assert not is_read_request(httpx.Request("POST", f"https://api.topstepx.com/api/{endpoint}"))
    assert is_read_request(httpx.Request("POST", "https://api.topstepx.com/api/Order/searchOpen"))


def test_default_limits_are_200_per_minute_and_30_bars_per_30s() -> None:
    overall, bars = default_rate_limits()
    assert (overall.limit, overall.period, overall.match) == (200, 60.0, None)
    assert (bars.limit, bars.period) == (30, 30.0)
    assert bars.applies_to(httpx.Request("POST", "https://x.test/api/History/retrieveBars"))
    assert not bars.applies_to(httpx.Request("POST", "https://x.test/api/Order/search"))


def test_bars_limit_makes_the_31st_request_wait(gateway: FakeGateway) -> None:
    from datetime import UTC, datetime

    clock = FakeClock(advance=True)
    limiter = RateLimiter(default_rate_limits(), clock=clock, sleep=clock.sleep)
    px = ProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport(), rate_limiter=limiter)
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC)
    for _ in range(30):
        px.history.retrieve_bars("CON.F.US.ENQ.H25", start, end, "hour", 1, limit=10)
    assert clock.slept == []
    px.history.retrieve_bars("CON.F.US.ENQ.H25", start, end, "hour", 1, limit=10)
    assert clock.slept == [30.0]
    # Other endpoints are not held back by the bars budget.
    px.accounts.search()
    assert clock.slept == [30.0]


def test_limiter_is_shared_by_every_thread_of_a_session(gateway: FakeGateway) -> None:
    clock = FakeClock()
    limiter = RateLimiter([RateLimit(10, 60.0)], clock=clock, sleep=clock.sleep)
    px = ProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport(), rate_limiter=limiter)
    px.authenticate()  # 1 slot (login counts against the limit)
    threads = [threading.Thread(target=px.accounts.search) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gateway.calls["/api/Account/search"] == 12
    assert len(clock.slept) == 3  # 13 requests against 10 slots: exactly three had to wait
    assert px.rate_limiter is limiter
