"""Contract tests: public facade calls replayed from cassettes, checked against the spec.

Cassettes live in ``tests/cassettes/<provider>/``; a test in
``tests/contract/<provider>/test_x.py`` named ``test_y`` uses
``tests/cassettes/<provider>/<test_y>.yaml`` unless it names another with
``@pytest.mark.vcr("name.yaml")``. CI replays with ``--record-mode=none --block-network``;
``make record PROVIDER=x`` re-records live (``--record-mode=rewrite``) with credentials from ``.env``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.cassettes import CASSETTES, json_body_matcher
from tests.support.cassettes import vcr_config as _vcr_config


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", json_body_matcher)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return _vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    provider = Path(str(request.node.path)).parent.name
    return str(CASSETTES / provider)


def _recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode") not in ("none", None)


@pytest.fixture
def recording(request: pytest.FixtureRequest) -> bool:
    """True when cassettes are being (re)recorded against the live API (``make record``)."""
    return _recording(request.config)


def pytest_configure(config: pytest.Config) -> None:
    """``make record`` reads live credentials from ``.env``; a replay never needs or reads them."""
    if _recording(config):
        from dotenv import load_dotenv

        load_dotenv()
