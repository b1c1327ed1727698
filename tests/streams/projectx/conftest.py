"""Fixtures for the ProjectX realtime tests: loopback hubs, a ProjectX facade whose REST is mocked, timing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from specwire.streaming.backoff import Backoff

from tests.support.signalr_hub import LoopbackHub

FRAMES = Path(__file__).resolve().parents[2] / "cassettes" / "projectx" / "streams"

EP = "CON.F.US.EP.U25"
MNQ = "CON.F.US.MNQ.U26"
ACCOUNT = 123


def fast(**extra: Any) -> dict[str, Any]:
    """Connection options with delays small enough for tests."""
    return {
        "keepalive_interval": 0.05,
        "server_timeout": 1.0,
        "open_timeout": 2.0,
        "invoke_timeout": 2.0,
        "backoff": Backoff(initial=0.001, maximum=0.01, jitter=False),
        **extra,
    }


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


def frames(name: str) -> Path:
    return FRAMES / name


class AuthServer:
    """The Gateway's Auth endpoints on an httpx MockTransport: login gives tok-1, each validate tok-<n+1>."""

    def __init__(self) -> None:
        self.issued = 0
        self.validated: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/Auth/loginKey"):
            self.issued += 1
            return httpx.Response(
                200,
                json={"token": f"tok-{self.issued}", "success": True, "errorCode": 0, "errorMessage": None},
            )
        if path.endswith("/Auth/validate"):
            self.validated.append(request.headers.get("Authorization", ""))
            self.issued += 1
            return httpx.Response(
                200,
                json={
                    "newToken": f"tok-{self.issued}",
                    "success": True,
                    "errorCode": 0,
                    "errorMessage": None,
                },
            )
        body = json.loads(request.content or b"{}")
        return httpx.Response(404, json={"unexpected": path, "body": body})


@pytest.fixture
async def market_hub() -> AsyncIterator[LoopbackHub]:
    async with LoopbackHub("/hubs/market") as hub:
        yield hub


@pytest.fixture
async def user_hub() -> AsyncIterator[LoopbackHub]:
    async with LoopbackHub("/hubs/user") as hub:
        yield hub
