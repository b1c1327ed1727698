"""Retries as an httpx transport, so generated code gets them without knowing.

Why a transport: the generated clients cannot be edited and offer no retry
hook, but they accept an injected ``httpx.Client`` whose transport we own (the
approach openapi-python-client's maintainers recommend). Auth flows, event
hooks and redirects sit *above* the transport, so each retry re-sends the
exact request the client built, and a 401 replay by the auth flow is a new
request with its own retry budget.

What is retried, and why it is safe:

* **Requests safe to repeat** — ``GET``/``HEAD``/``OPTIONS``; requests the caller
  marks ``RequestOptions(idempotent=True)``; requests carrying the policy's
  ``idempotency_header`` (or a standard ``Idempotency-Key``); and requests the
  provider's ``is_idempotent`` predicate accepts (e.g. POST search endpoints
  that only read). ``PUT``/``DELETE`` are *not* assumed idempotent: on a trading
  API a repeated cancel or replace can act on a different order state.
  ``RequestOptions(idempotent=False)`` forbids re-sending anything the server
  may have received, even a read.
  Safe requests are retried on 408/429/500/502/503/504 and on read/write
  timeouts, read/write errors and protocol errors (for which the server may or
  may not have acted: only safe requests, never a write that could execute twice).
* **Any request** whose connection was never established (``ConnectError``,
  ``ConnectTimeout``, ``PoolTimeout``): nothing left this machine.
* Never a request whose body is a one-shot stream (it cannot be sent again).

Delays: full-jitter exponential backoff (0.5 s doubling, capped at 8 s), or the
server's ``retry-after-ms`` / ``Retry-After`` (seconds or HTTP-date) when given.
A hint above ``max_retry_after`` means the server wants a long pause: no retry,
the 429/503 surfaces at once (as :class:`~specwire.core.errors.RateLimitError`
with ``retry_after`` through :func:`~specwire.core.http.build_client`).

With a shared :class:`~specwire.core.ratelimit.RateLimiter`, a retried 429/503
carrying a hint pauses the limiter, so every caller of the session backs off,
not only the one that was told. Caller-given idempotency keys are checked: one
key, one operation (a key reused for a different request is refused).

Exhausted or non-retryable transport failures are raised as
:class:`~specwire.core.errors.APIConnectionError` /
:class:`~specwire.core.errors.APITimeoutError` (cause kept), so they come out
of generated code unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import attrs
import httpx

from specwire.core.errors import CORE_FAMILY, ConfigurationError, ErrorFamily
from specwire.core.options import RequestOptions, current_options
from specwire.core.ratelimit import RateLimiter
from specwire.core.redact import redact_url
from specwire.core.retry_after import parse_retry_after
from specwire.streaming.backoff import Backoff

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "RETRY_COUNT_HEADER",
    "SAFE_METHODS",
    "AsyncRetryTransport",
    "BodyReadRetries",
    "RetryPolicy",
    "RetryTransport",
]

logger = logging.getLogger("specwire.http")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
RETRY_COUNT_HEADER = "x-specwire-retry-count"
STANDARD_IDEMPOTENCY_HEADER = "Idempotency-Key"

# Failures where the request provably never reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after (part of) the request may have been delivered.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def _check_non_negative_int(_inst: object, attr: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"RetryPolicy.{attr.name} must be an int >= 0, got {value!r}")


def _check_seconds(_inst: object, attr: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ConfigurationError(f"RetryPolicy.{attr.name} must be a number of seconds >= 0, got {value!r}")


def _check_header(_inst: object, _attr: object, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not value or any(c in value for c in " :\r\n")):
        raise ConfigurationError(f"RetryPolicy.idempotency_header must be a header name, got {value!r}")


def _default_backoff() -> Backoff:
    return Backoff(initial=0.5, maximum=8.0, multiplier=2.0, jitter=True)


@attrs.frozen
class RetryPolicy:
    """When and how long to wait before re-sending a request (see module docs for the rules).

    ``backoff`` is a template copied for every request (its ``rand`` can be
    pinned in tests); ``sleep``/``asleep`` are injected so tests record
    delays instead of waiting.
    """

    max_retries: int = attrs.field(default=2, validator=_check_non_negative_int)
    backoff: Backoff = attrs.field(factory=_default_backoff)
    retry_statuses: frozenset[int] = attrs.field(default=DEFAULT_RETRY_STATUSES, converter=frozenset)
    max_retry_after: float = attrs.field(default=60.0, validator=_check_seconds)
    is_idempotent: Callable[[httpx.Request], bool] | None = attrs.field(default=None, eq=False)
    idempotency_header: str | None = attrs.field(default=None, validator=_check_header)
    auto_idempotency_key: bool = False
    sleep: Callable[[float], None] = attrs.field(default=time.sleep, eq=False, repr=False)
    asleep: Callable[[float], Awaitable[None]] = attrs.field(default=asyncio.sleep, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.auto_idempotency_key and not self.idempotency_header:
            raise ConfigurationError("RetryPolicy.auto_idempotency_key needs an idempotency_header name")

    def new_backoff(self) -> Backoff:
        return attrs.evolve(self.backoff)

    def is_safe_to_repeat(self, request: httpx.Request, options: RequestOptions | None = None) -> bool:
        """Whether re-sending ``request`` cannot cause a second effect on the server."""
        options = options or current_options()
        if options.idempotent is not None:
            return options.idempotent
        if request.method.upper() in SAFE_METHODS:
            return True
        if self.idempotency_header and self.idempotency_header in request.headers:
            return True
        if STANDARD_IDEMPOTENCY_HEADER in request.headers:
            return True
        return self.is_idempotent is not None and bool(self.is_idempotent(request))


class _KeyLedger:
    """Remembers which request each caller-given idempotency key was used for.

    A key names *one* operation. Re-sending the same request with the same key
    (e.g. after a crash) is the point of keys and is allowed; using the key for a
    *different* request would make the server drop that request as a duplicate,
    so it is refused before anything is sent. Bounded, thread-safe.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, str] = OrderedDict()

    @staticmethod
    def fingerprint(request: httpx.Request) -> str:
        body = request.content if isinstance(request.stream, httpx.ByteStream) else b"<stream>"
        digest = hashlib.sha256(body).hexdigest()
        return f"{request.method.upper()} {request.url.copy_with(query=None)} {request.url.query!r} {digest}"

    def check(self, key: str, request: httpx.Request) -> None:
        fingerprint = self.fingerprint(request)
        with self._lock:
            previous = self._seen.get(key)
            if previous is not None and previous != fingerprint:
                raise ConfigurationError(
                    f"idempotency_key {key!r} was already used for a different request; "
                    "the server would treat this one as a duplicate and drop it. Use one key per operation."
                )
            self._seen[key] = fingerprint
            self._seen.move_to_end(key)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)


class _Attempts:
    """Retry bookkeeping for one logical request (shared by the sync and async transports)."""

    def __init__(
        self, policy: RetryPolicy, request: httpx.Request, options: RequestOptions, ledger: _KeyLedger
    ) -> None:
        self.policy = policy
        self.ledger = ledger
        self.request = request
        self.max_retries = policy.max_retries if options.max_retries is None else options.max_retries
        self.retries = 0
        self.backoff = policy.new_backoff()
        # An auth replay re-sends the same Request object: start its count afresh.
        request.headers.pop(RETRY_COUNT_HEADER, None)
        self._apply_idempotency_key(options)
        timeout = options.httpx_timeout()
        if timeout is not None:
            request.extensions["timeout"] = timeout.as_dict()
        self.safe = policy.is_safe_to_repeat(request, options)
        # Set when the server said "slow down" with a hint: the limiter pauses every caller.
        self.server_pause: float | None = None
        self.replayable = isinstance(request.stream, httpx.ByteStream)

    def _apply_idempotency_key(self, options: RequestOptions) -> None:
        header = self.policy.idempotency_header
        if options.idempotency_key is not None and not header:
            raise ConfigurationError(
                "idempotency_key was given but this client has no idempotency header configured; "
                "the server would ignore the key, so the request would not be safe to retry"
            )
        if not header or self.request.method.upper() in SAFE_METHODS or header in self.request.headers:
            return
        key = options.idempotency_key
        if key is not None:
            self.ledger.check(key, self.request)
        if key is None and self.policy.auto_idempotency_key:
            key = f"specwire-{uuid.uuid4()}"
        if key is not None:
            # Set once, before the first attempt: every retry carries the same key.
            self.request.headers[header] = key

    def _budget_left(self) -> bool:
        return self.retries < self.max_retries and self.replayable

    def delay_after_response(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, or ``None`` to hand ``response`` to the caller."""
        self.server_pause = None
        if response.status_code not in self.policy.retry_statuses or not self.safe or not self._budget_left():
            return None
        hint = parse_retry_after(response.headers)
        if hint is not None and hint > self.policy.max_retry_after:
            logger.info(
                "Not retrying %s %s: server asked to wait %.1fs (limit %.1fs)",
                self.request.method,
                redact_url(self.request.url),
                hint,
                self.policy.max_retry_after,
            )
            return None
        delay = self.backoff.next_delay()
        if hint is None:
            return delay
        self.server_pause = hint if response.status_code in (429, 503) else None
        return hint

    def delay_after_error(self, exc: httpx.TransportError) -> float | None:
        """Seconds to wait before retrying after a transport failure, or ``None`` to raise."""
        if not self._budget_left():
            return None
        if isinstance(exc, _NOT_SENT) or (isinstance(exc, _MAYBE_SENT) and self.safe):
            return self.backoff.next_delay()
        return None

    def before_retry(self, delay: float, cause: str) -> None:
        self.retries += 1
        self.request.headers[RETRY_COUNT_HEADER] = str(self.retries)
        logger.info(
            "Retrying %s %s in %.2fs (retry %d of %d) after %s",
            self.request.method,
            redact_url(self.request.url),
            delay,
            self.retries,
            self.max_retries,
            cause,
        )


class BodyReadRetries:
    """Retries of a whole call whose response *body* broke off mid-read.

    The transport returns as soon as the headers arrive; httpx reads the body
    afterwards, in the client, where the transport cannot see a failure. The
    client (:class:`~specwire.core.http.SpecwireClient`) uses this to re-send
    a non-streamed request under the same rules: only requests safe to repeat,
    only failures after which the server may have acted, within ``max_retries``.
    """

    def __init__(self, policy: RetryPolicy, request: httpx.Request) -> None:
        options = current_options()
        self.policy = policy
        self.request = request
        self.max_retries = policy.max_retries if options.max_retries is None else options.max_retries
        self.safe = policy.is_safe_to_repeat(request, options)
        self.replayable = isinstance(request.stream, httpx.ByteStream)
        self.backoff = policy.new_backoff()
        self.retries = 0

    def delay_after(self, exc: httpx.TransportError) -> float | None:
        """Seconds to wait before re-sending, or ``None`` to give up."""
        if (
            self.retries >= self.max_retries
            or not (self.safe and self.replayable)
            or not isinstance(exc, _MAYBE_SENT)
        ):
            return None
        self.retries += 1
        delay = self.backoff.next_delay()
        logger.info(
            "Retrying %s %s in %.2fs (body retry %d of %d) after %s while reading the response",
            self.request.method,
            redact_url(self.request.url),
            delay,
            self.retries,
            self.max_retries,
            type(exc).__name__,
        )
        return delay


class RetryTransport(httpx.BaseTransport):
    """Wraps ``inner`` with :class:`RetryPolicy` retries, rate limiting and per-call timeouts."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        *,
        error_family: ErrorFamily | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()
        self.rate_limiter = rate_limiter
        self.error_family = error_family or CORE_FAMILY
        self._ledger = _KeyLedger()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        attempts = _Attempts(self.policy, request, current_options(), self._ledger)
        while True:
            if self.rate_limiter is not None:
                self.rate_limiter.acquire(request)
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError as exc:
                delay = attempts.delay_after_error(exc)
                if delay is None:
                    raise self.error_family.from_transport_exception(exc, request) from exc
                attempts.before_retry(delay, type(exc).__name__)
                self.policy.sleep(delay)
                continue
            delay = attempts.delay_after_response(response)
            if delay is None:
                return response
            response.close()
            attempts.before_retry(delay, f"HTTP {response.status_code}")
            if self.rate_limiter is not None and attempts.server_pause is not None:
                self.rate_limiter.pause(attempts.server_pause)
                continue  # the limiter's acquire() does the waiting, for this caller and every other
            self.policy.sleep(delay)

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The asyncio twin of :class:`RetryTransport` (same policy, same rules)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        *,
        error_family: ErrorFamily | None = None,
    ) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()
        self.rate_limiter = rate_limiter
        self.error_family = error_family or CORE_FAMILY
        self._ledger = _KeyLedger()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        attempts = _Attempts(self.policy, request, current_options(), self._ledger)
        while True:
            if self.rate_limiter is not None:
                await self.rate_limiter.aacquire(request)
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError as exc:
                delay = attempts.delay_after_error(exc)
                if delay is None:
                    raise self.error_family.from_transport_exception(exc, request) from exc
                attempts.before_retry(delay, type(exc).__name__)
                await self.policy.asleep(delay)
                continue
            delay = attempts.delay_after_response(response)
            if delay is None:
                return response
            await response.aclose()
            attempts.before_retry(delay, f"HTTP {response.status_code}")
            if self.rate_limiter is not None and attempts.server_pause is not None:
                self.rate_limiter.pause(attempts.server_pause)
                continue  # the limiter's aacquire() does the waiting, for this task and every other caller
            await self.policy.asleep(delay)

    async def aclose(self) -> None:
        await self.inner.aclose()
