"""The seam with generated code: an injected core client gives it auth, retries and typed errors."""

from __future__ import annotations

import httpx
import pytest
from specwire.core import APIKeyAuth, HTTPConfig, NotFoundError, RetryPolicy, build_async_client, build_client
from specwire_gen.restless.api.streams import get_stream
from specwire_gen.restless.client import Client

BASE = "https://api.restlessapi.stream"
KEY = "rs_seam_test_key_0042"


def server(request: httpx.Request) -> httpx.Response:
    assert request.headers["x-api-key"] == KEY
    if request.headers.get("x-specwire-retry-count") is None:
        return httpx.Response(503, json={"message": "warming up"})
    return httpx.Response(404, json={"message": "Stream not found"})


def cfg() -> HTTPConfig:
    return HTTPConfig(
        BASE,
        auth=APIKeyAuth(KEY),
        transport=httpx.MockTransport(server),
        retry_policy=RetryPolicy(sleep=lambda _s: None, asleep=_no_sleep),
    )


async def _no_sleep(_delay: float) -> None:
    return None


def test_generated_client_gets_retries_and_typed_errors() -> None:
    gen = Client(base_url=BASE)
    gen.set_httpx_client(build_client(cfg()))
    # The 503 is retried below the generated code; the 404 is raised before it parses anything.
    with pytest.raises(NotFoundError) as info:
        get_stream.sync_detailed("missing", client=gen)
    assert info.value.message == "Stream not found"
    assert (
        str(info.value)
        == "404 Not Found: Stream not found (GET https://api.restlessapi.stream/streams/missing)"
    )
    assert KEY not in repr(info.value)


async def test_generated_async_client_gets_typed_errors() -> None:
    gen = Client(base_url=BASE)
    gen.set_async_httpx_client(build_async_client(cfg()))
    with pytest.raises(NotFoundError):
        await get_stream.asyncio_detailed("missing", client=gen)
