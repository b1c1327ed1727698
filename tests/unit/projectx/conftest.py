"""Fixtures for the ProjectX REST facade tests: a fake Gateway and clients wired to it."""

from __future__ import annotations

import pytest
from specwire.projectx import AsyncProjectX, ProjectX

from tests.unit.projectx.px_fake_gateway import API_KEY, USERNAME, FakeGateway


@pytest.fixture(autouse=True)
def _no_projectx_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests decide the credentials; a developer's environment must not leak in."""
    for name in ("PROJECTX_USERNAME", "PROJECTX_API_KEY", "PROJECTX_FIRM", "PROJECTX_API_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture
def px(gateway: FakeGateway) -> ProjectX:
    client = ProjectX(api_key=API_KEY, username=USERNAME, transport=gateway.transport(), reconcile_delay=0.0)
    yield client
    client.close()


@pytest.fixture
async def apx(gateway: FakeGateway) -> AsyncProjectX:
    client = AsyncProjectX(
        api_key=API_KEY, username=USERNAME, transport=gateway.transport(), reconcile_delay=0.0
    )
    yield client
    await client.aclose()
