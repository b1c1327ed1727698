"""Client-side sliding-window limits shared by threads and tasks (deterministic fake clock)."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from specwire.core import ConfigurationError, RateLimit, RateLimiter


class FakeClock:
    """Monotonic clock that only moves when a waiter 'sleeps'."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def req(path: str = "/api/Order/search") -> httpx.Request:
    return httpx.Request("POST", f"https://gw.test{path}")


def max_in_any_window(times: list[float], period: float) -> int:
    times = sorted(times)
    best = 0
    for i, start in enumerate(times):
        best = max(best, sum(1 for t in times[i:] if t < start + period))
    return best


def test_window_is_respected_with_a_fake_clock() -> None:
    clock = FakeClock()
    waits: list[float] = []
    limiter = RateLimiter([RateLimit(3, 10.0)], clock=clock, sleep=waits.append)
    assert [limiter.acquire(req()) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire(req()) == pytest.approx(10.0)
    assert waits == [pytest.approx(10.0)]
    clock.advance(4.0)
    # The 5th and 6th queue behind the 4th (reserved at t+10) and the window.
    assert limiter.acquire(req()) == pytest.approx(6.0)
    clock.advance(10.0)
    assert limiter.acquire(req()) == pytest.approx(0.0)


def test_window_slides_rather_than_resets() -> None:
    clock = FakeClock()
    limiter = RateLimiter([RateLimit(2, 10.0)], clock=clock, sleep=lambda _s: None)
    limiter.acquire(req())
    clock.advance(6.0)
    limiter.acquire(req())
    clock.advance(5.0)  # the first slot left the window at +10
    assert limiter.acquire(req()) == 0.0
    assert limiter.acquire(req()) == pytest.approx(5.0)  # second slot frees at 6 + 10


def test_rules_apply_only_to_matching_requests() -> None:
    clock = FakeClock()
    bars = RateLimit(1, 30.0, match=lambda r: r.url.path.endswith("/retrieveBars"), name="bars")
    limiter = RateLimiter([RateLimit(100, 60.0, name="all"), bars], clock=clock, sleep=lambda _s: None)
    assert limiter.acquire(req("/api/History/retrieveBars")) == 0.0
    assert limiter.acquire(req("/api/Order/search")) == 0.0
    assert limiter.acquire(req("/api/History/retrieveBars")) == pytest.approx(30.0)
    stats = limiter.stats()
    assert [r["name"] for r in stats["rules"]] == ["all", "bars"]
    assert stats["rules"][0]["in_window"] == 3
    assert stats["rules"][1]["in_window"] == 2
    assert stats["rules"][1]["next_free_in"] == pytest.approx(60.0)  # the reservation at +30 holds it
    assert stats["granted"] == 3


def test_threads_share_one_budget() -> None:
    clock = FakeClock()
    limiter = RateLimiter([RateLimit(5, 10.0)], clock=clock, sleep=lambda _s: None)
    granted: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def worker() -> None:
        start.wait()
        delay = limiter.reserve(req())
        with lock:
            granted.append(clock() + delay)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 20
    assert max_in_any_window(granted, 10.0) == 5
    assert max(granted) - clock() == pytest.approx(30.0)  # 20 requests at 5 per 10 s


async def test_tasks_and_threads_share_one_budget() -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def asleep(delay: float) -> None:
        slept.append(delay)

    limiter = RateLimiter([RateLimit(4, 1.0)], clock=clock, sleep=slept.append, asleep=asleep)
    thread_waits: list[float] = []
    thread = threading.Thread(target=lambda: thread_waits.extend(limiter.acquire(req()) for _ in range(4)))
    thread.start()
    thread.join()
    task_waits = await asyncio.gather(*(limiter.aacquire(req()) for _ in range(8)))
    assert thread_waits == [0.0] * 4
    assert sorted(task_waits) == pytest.approx([1.0] * 4 + [2.0] * 4)
    assert sorted(slept) == pytest.approx([1.0] * 4 + [2.0] * 4)


def test_invalid_rules_are_rejected() -> None:
    with pytest.raises(ConfigurationError, match="limit"):
        RateLimit(0, 10.0)
    with pytest.raises(ConfigurationError, match="period"):
        RateLimit(5, -1)
    with pytest.raises(ConfigurationError, match="RateLimit"):
        RateLimiter([(5, 10.0)])  # type: ignore[list-item]
