"""The TheRundown layer under the shared retry transport: usage accounting and quota 429s.

It sits *below* :class:`~specwire.core.retry.RetryTransport`, so it sees every attempt:

* it records the usage headers of each response the server sent (retried ones cost data points too);
* a 429 whose body says the daily or monthly data-point allowance is spent is raised at once as a
  :class:`~specwire.therundown.errors.TheRundownRateLimitError` (``kind`` = ``daily_quota`` /
  ``monthly_quota``): retrying cannot succeed before the period resets, so the retry layer must not try.
  A burst 429 is passed up unchanged, and the retry layer waits ``Retry-After`` (usually 1 s) and retries.
"""

from __future__ import annotations

import httpx

from specwire.therundown.errors import classify_rate_limit, family
from specwire.therundown.usage import UsageTracker

__all__ = ["AsyncRundownTransport", "RundownTransport"]


class RundownTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, tracker: UsageTracker) -> None:
        self.inner = inner
        self.tracker = tracker

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.request = request
        self.tracker.record(response)
        if response.status_code == 429:
            body = response.read()
            if classify_rate_limit(body).is_quota:
                response.close()
                raise family.from_response(response)
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRundownTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, tracker: UsageTracker) -> None:
        self.inner = inner
        self.tracker = tracker

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        response.request = request
        self.tracker.record(response)
        if response.status_code == 429:
            body = await response.aread()
            if classify_rate_limit(body).is_quota:
                await response.aclose()
                raise family.from_response(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
