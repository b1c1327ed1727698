"""The retrying transport: what is retried, how long it waits, what surfaces when it gives up."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from specwire.core import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    HTTPConfig,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    build_async_client,
    build_client,
    request_options,
)
from specwire.core.retry import RETRY_COUNT_HEADER
from specwire.streaming.backoff import Backoff

BASE = "https://api.example.test"


class Recorder:
    """A MockTransport handler that replays scripted outcomes and remembers what it was sent."""

    def __init__(self, *outcomes: int | httpx.Response | Exception | Callable[[httpx.Request], Any]) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(
            {
                "method": request.method,
                "headers": dict(request.headers),
                "body": request.content,
                "timeout": request.extensions.get("timeout"),
            }
        )
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, int):
            return httpx.Response(outcome, json={"message": f"status {outcome}"})
        if isinstance(outcome, httpx.Response):
            return outcome
        return outcome(request)

    @property
    def count(self) -> int:
        return len(self.requests)


def make_policy(delays: list[float], **kwargs: Any) -> RetryPolicy:
    async def asleep(delay: float) -> None:
        delays.append(delay)

    backoff = Backoff(initial=0.5, maximum=8.0, multiplier=2.0, jitter=True, rand=lambda: 1.0)
    return RetryPolicy(backoff=backoff, sleep=delays.append, asleep=asleep, **kwargs)


@pytest.fixture
def delays() -> list[float]:
    return []


def sync_client(handler: Recorder, delays: list[float], **policy_kwargs: Any) -> httpx.Client:
    cfg = HTTPConfig(
        BASE, transport=httpx.MockTransport(handler), retry_policy=make_policy(delays, **policy_kwargs)
    )
    return build_client(cfg)


def async_client(handler: Recorder, delays: list[float], **policy_kwargs: Any) -> httpx.AsyncClient:
    cfg = HTTPConfig(
        BASE, transport=httpx.MockTransport(handler), retry_policy=make_policy(delays, **policy_kwargs)
    )
    return build_async_client(cfg)


def test_503_then_success_is_retried_with_backoff(delays: list[float]) -> None:
    handler = Recorder(503, 503, 200)
    with sync_client(handler, delays) as client:
        response = client.get("/things")
    assert response.status_code == 200
    assert handler.count == 3
    assert delays == [0.5, 1.0]
    assert [r["headers"].get(RETRY_COUNT_HEADER) for r in handler.requests] == [None, "1", "2"]


def test_full_jitter_keeps_delays_within_the_exponential_ceiling(delays: list[float]) -> None:
    handler = Recorder(500, 500, 500, 200)
    backoff = Backoff(initial=0.5, maximum=8.0, rand=lambda: 0.25)
    policy = RetryPolicy(max_retries=3, backoff=backoff, sleep=delays.append)
    cfg = HTTPConfig(BASE, transport=httpx.MockTransport(handler), retry_policy=policy)
    with build_client(cfg) as client:
        assert client.get("/x").status_code == 200
    assert delays == [0.125, 0.25, 0.5]


def test_exhausted_retries_raise_the_typed_error(delays: list[float]) -> None:
    handler = Recorder(503)
    with sync_client(handler, delays) as client, pytest.raises(ServerError) as info:
        client.get("/things")
    assert handler.count == 3  # first attempt + max_retries=2
    assert info.value.status_code == 503


def test_non_retryable_status_is_not_retried(delays: list[float]) -> None:
    handler = Recorder(404)
    with sync_client(handler, delays) as client, pytest.raises(NotFoundError):
        client.get("/things/1")
    assert handler.count == 1 and delays == []


def test_get_is_retried_but_post_is_not(delays: list[float]) -> None:
    get_handler = Recorder(502, 200)
    with sync_client(get_handler, delays) as client:
        assert client.get("/orders").status_code == 200
    assert get_handler.count == 2

    post_handler = Recorder(502, 200)
    with sync_client(post_handler, delays) as client, pytest.raises(ServerError):
        client.post("/orders", json={"side": "buy"})
    assert post_handler.count == 1


def test_post_marked_idempotent_is_retried(delays: list[float]) -> None:
    handler = Recorder(503, 200)
    with sync_client(handler, delays) as client, request_options(idempotent=True):
        assert client.post("/search", json={"q": 1}).status_code == 200
    assert handler.count == 2
    assert handler.requests[0]["body"] == handler.requests[1]["body"] == b'{"q":1}'


def test_idempotent_false_forbids_retrying_even_a_get(delays: list[float]) -> None:
    handler = Recorder(503, 200)
    with (
        sync_client(handler, delays) as client,
        request_options(idempotent=False),
        pytest.raises(ServerError),
    ):
        client.get("/x")
    assert handler.count == 1


def test_provider_predicate_marks_post_reads_as_safe(delays: list[float]) -> None:
    handler = Recorder(503, 200)
    with sync_client(handler, delays, is_idempotent=lambda req: req.url.path.endswith("/search")) as client:
        assert client.post("/api/Contract/search", json={}).status_code == 200
    assert handler.count == 2


def test_same_idempotency_key_on_every_attempt(delays: list[float]) -> None:
    handler = Recorder(500, 503, 201)
    with (
        sync_client(handler, delays, idempotency_header="Idempotency-Key") as client,
        request_options(idempotency_key="order-abc-1"),
    ):
        assert client.post("/orders", json={"qty": 1}).status_code == 201
    keys = [r["headers"]["idempotency-key"] for r in handler.requests]
    assert keys == ["order-abc-1"] * 3


def test_auto_idempotency_key_is_generated_once_per_call(delays: list[float]) -> None:
    handler = Recorder(503, 200)
    with sync_client(handler, delays, idempotency_header="X-Idem", auto_idempotency_key=True) as client:
        client.post("/orders", json={})
        client.post("/orders", json={})
    keys = [r["headers"]["x-idem"] for r in handler.requests]
    assert len(keys) == 3
    assert keys[0] == keys[1] != keys[2]


def test_idempotency_key_without_a_header_is_refused_before_sending(delays: list[float]) -> None:
    handler = Recorder(200)
    with (
        sync_client(handler, delays) as client,
        request_options(idempotency_key="k-1"),
        pytest.raises(ConfigurationError, match="idempotency"),
    ):
        client.post("/orders", json={})
    assert handler.count == 0


def test_retry_after_seconds_is_honoured(delays: list[float]) -> None:
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "3"}), 200)
    with sync_client(handler, delays) as client:
        assert client.get("/x").status_code == 200
    assert delays == [3.0]


def test_retry_after_ms_is_honoured(delays: list[float]) -> None:
    handler = Recorder(httpx.Response(503, headers={"retry-after-ms": "250"}), 200)
    with sync_client(handler, delays) as client:
        client.get("/x")
    assert delays == [0.25]


def test_retry_after_http_date_is_honoured(delays: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    handler = Recorder(httpx.Response(503, headers={"Retry-After": when}), 200)
    with sync_client(handler, delays) as client:
        assert client.get("/x").status_code == 200
    assert len(delays) == 1 and 17.0 < delays[0] <= 20.0


def test_too_long_retry_after_raises_rate_limit_error_at_once(delays: list[float]) -> None:
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}, json={"message": "quota"}), 200)
    with sync_client(handler, delays) as client, pytest.raises(RateLimitError) as info:
        client.get("/x")
    assert info.value.retry_after == 3600.0
    assert handler.count == 1 and delays == []


def test_connect_error_raises_connection_error_after_all_attempts(delays: list[float]) -> None:
    handler = Recorder(httpx.ConnectError("connection refused"))
    with sync_client(handler, delays) as client, pytest.raises(APIConnectionError) as info:
        client.post("/orders", json={"qty": 1})  # never connected: safe even for a write
    assert handler.count == 3
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert not isinstance(info.value, APITimeoutError)


def test_read_timeout_on_a_write_is_not_retried(delays: list[float]) -> None:
    handler = Recorder(httpx.ReadTimeout("no answer"), 200)
    with sync_client(handler, delays) as client, pytest.raises(APITimeoutError):
        client.post("/orders", json={"qty": 1})
    assert handler.count == 1


def test_read_timeout_on_a_read_is_retried_then_raised(delays: list[float]) -> None:
    handler = Recorder(httpx.ReadTimeout("no answer"))
    with sync_client(handler, delays) as client, pytest.raises(APITimeoutError):
        client.get("/x")
    assert handler.count == 3


def test_remote_protocol_error_on_a_read_recovers(delays: list[float]) -> None:
    handler = Recorder(httpx.RemoteProtocolError("peer closed"), 200)
    with sync_client(handler, delays) as client:
        assert client.get("/x").status_code == 200
    assert handler.count == 2


def test_per_call_max_retries_and_timeout(delays: list[float]) -> None:
    handler = Recorder(503)
    with sync_client(handler, delays) as client:
        with request_options(max_retries=0, timeout=5), pytest.raises(ServerError):
            client.get("/x")
        assert handler.count == 1
        assert handler.requests[0]["timeout"] == httpx.Timeout(5.0).as_dict()
        with request_options(max_retries=4), pytest.raises(ServerError):
            client.get("/x")
        assert handler.count == 1 + 5
        # Outside the block the client's own settings apply again.
        with pytest.raises(ServerError):
            client.get("/x")
        assert handler.count == 6 + 3
        assert handler.requests[-1]["timeout"] == httpx.Timeout(30.0).as_dict()


def test_client_level_max_retries(delays: list[float]) -> None:
    handler = Recorder(503)
    cfg = HTTPConfig(
        BASE, max_retries=0, transport=httpx.MockTransport(handler), retry_policy=make_policy(delays)
    )
    with build_client(cfg) as client, pytest.raises(ServerError):
        client.get("/x")
    assert handler.count == 1


def test_one_shot_stream_body_is_never_resent(delays: list[float]) -> None:
    handler = Recorder(503, 200)

    def body() -> Iterator[bytes]:
        yield b"chunk"

    with sync_client(handler, delays) as client, request_options(idempotent=True), pytest.raises(ServerError):
        client.post("/upload", content=body())
    assert handler.count == 1


def test_rate_limiter_is_consulted_on_every_attempt(delays: list[float]) -> None:
    seen: list[str] = []

    class CountingLimiter:
        def acquire(self, request: httpx.Request) -> float:
            seen.append(request.url.path)
            return 0.0

    from specwire.core.retry import RetryTransport

    handler = Recorder(503, 200)
    transport = RetryTransport(httpx.MockTransport(handler), make_policy(delays), CountingLimiter())  # type: ignore[arg-type]
    with httpx.Client(transport=transport, base_url=BASE) as client:
        assert client.get("/x").status_code == 200
    assert seen == ["/x", "/x"]


def test_policy_validation_names_the_bad_value() -> None:
    with pytest.raises(ConfigurationError, match="-1"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ConfigurationError, match="auto_idempotency_key"):
        RetryPolicy(auto_idempotency_key=True)
    with pytest.raises(ConfigurationError, match="max_retries"), request_options(max_retries=-2):
        pass


# -- async twins -------------------------------------------------------------------------------------------


async def test_async_503_then_success(delays: list[float]) -> None:
    handler = Recorder(503, 200)
    async with async_client(handler, delays) as client:
        response = await client.get("/x")
    assert response.status_code == 200 and handler.count == 2 and delays == [0.5]


async def test_async_post_not_retried_but_keyed_post_is(delays: list[float]) -> None:
    handler = Recorder(503, 200)
    async with async_client(handler, delays, idempotency_header="Idempotency-Key") as client:
        with pytest.raises(ServerError):
            await client.post("/orders", json={})
        assert handler.count == 1
        handler.outcomes = [503, 200]
        with request_options(idempotency_key="k-async-1"):
            assert (await client.post("/orders", json={})).status_code == 200
    assert [r["headers"].get("idempotency-key") for r in handler.requests[1:]] == ["k-async-1"] * 2


async def test_async_connect_error_and_timeout(delays: list[float]) -> None:
    handler = Recorder(httpx.ConnectError("refused"))
    async with async_client(handler, delays) as client:
        with pytest.raises(APIConnectionError):
            await client.get("/x")
        assert handler.count == 3
        handler.outcomes = [httpx.ReadTimeout("slow")]
        with request_options(max_retries=0), pytest.raises(APITimeoutError):
            await client.get("/x")
        assert handler.count == 4


async def test_async_retry_after_too_long(delays: list[float]) -> None:
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "120"}))
    async with async_client(handler, delays) as client:
        with pytest.raises(RateLimitError) as info:
            await client.get("/x")
    assert info.value.retry_after == 120.0 and handler.count == 1


async def test_async_per_call_timeout(delays: list[float]) -> None:
    handler = Recorder(200)
    async with async_client(handler, delays) as client:
        with request_options(timeout=httpx.Timeout(2.0, connect=1.0)):
            await client.get("/x")
    assert handler.requests[0]["timeout"] == httpx.Timeout(2.0, connect=1.0).as_dict()


def test_an_idempotency_key_cannot_be_reused_for_a_different_request(delays: list[float]) -> None:
    handler = Recorder(201)
    with (
        sync_client(handler, delays, idempotency_header="Idempotency-Key") as client,
        request_options(idempotency_key="order-xyz"),
    ):
        client.post("/orders", json={"qty": 1})
        # The same operation again (e.g. re-sent after a crash) is what keys are for.
        client.post("/orders", json={"qty": 1})
        with pytest.raises(ConfigurationError, match="order-xyz"):
            client.post("/orders", json={"qty": 2})
    assert handler.count == 2


def test_server_retry_after_pauses_every_caller_of_the_shared_limiter(delays: list[float]) -> None:
    from specwire.core import RateLimit, RateLimiter

    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter([RateLimit(100, 1.0)], clock=lambda: now[0], sleep=sleep)
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "4"}), 200)
    cfg = HTTPConfig(
        BASE, transport=httpx.MockTransport(handler), retry_policy=make_policy(delays), rate_limiter=limiter
    )
    with build_client(cfg) as client:
        assert client.get("/x").status_code == 200
    assert waits == [4.0]  # the retry waited inside the limiter...
    assert delays == []  # ...not in a private sleep
    now[0] = 1.0
    limiter.pause(5.0)
    assert limiter.stats()["paused_for"] == 5.0
    assert limiter.reserve(httpx.Request("GET", BASE)) == 5.0  # any other caller is held back too


def test_idempotent_false_still_retries_a_connection_that_never_opened(delays: list[float]) -> None:
    handler = Recorder(httpx.ConnectTimeout("no route"), 201)
    with sync_client(handler, delays) as client, request_options(idempotent=False):
        assert client.post("/orders", json={"qty": 1}).status_code == 201
    assert handler.count == 2


async def test_async_retry_waits_in_the_shared_limiter_on_a_server_hint(delays: list[float]) -> None:
    from specwire.core import RateLimit, RateLimiter

    now = [0.0]
    waits: list[float] = []

    async def asleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter([RateLimit(10, 1.0)], clock=lambda: now[0], asleep=asleep)
    handler = Recorder(httpx.Response(503, headers={"Retry-After": "2"}), 200)
    cfg = HTTPConfig(
        BASE, transport=httpx.MockTransport(handler), retry_policy=make_policy(delays), rate_limiter=limiter
    )
    async with build_async_client(cfg) as client:
        assert (await client.get("/x")).status_code == 200
    assert waits == [2.0] and delays == []
    assert handler.count == 2
