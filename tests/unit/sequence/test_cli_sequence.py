"""``specwire sequence ...`` in-process (typer's runner) against the spec-example fake and a loopback socket."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from specwire.cli import sequence as cli
from specwire.cli.main import app
from specwire.sequence import Sequence, StreamOptions
from specwire.streaming.backoff import Backoff
from typer.testing import CliRunner

from tests.support.ws_server import Expect, Send, Stall, WSServer
from tests.unit.sequence.test_seed_examples import spec_fake

runner = CliRunner()


@pytest.fixture(autouse=True)
def fake_client() -> Iterator[None]:
    cli._Options.factory = lambda: Sequence("seq_test_cli", "http://localhost:50052", transport=spec_fake())
    yield
    cli._Options.factory = None


def invoke(*args: str) -> str:
    result = runner.invoke(app, ["sequence", "--env-file", "/nonexistent", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_health() -> None:
    assert invoke("health").strip() == "live"


def test_quote_table() -> None:
    out = invoke("quote", "BTC-USD")
    assert "BTC-USD  bid 73,984.1  ask 73,985  spread 1.23 bps  (edge_nbbo)" in out
    assert "binance" in out and "coinbase" in out


def test_markets_and_positions() -> None:
    assert "fed-decision-in-october" in invoke("markets", "--search", "fed")
    out = invoke("positions")
    assert "crypto:USDC" in out and "NAV $48,228.48" in out


def test_missing_key_fails_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    cli._Options.factory = None
    monkeypatch.delenv("SEQUENCE_API_KEY", raising=False)
    result = runner.invoke(app, ["sequence", "--env-file", "/nonexistent", "health"])
    assert result.exit_code == 1 and "SEQUENCE_API_KEY is not set" in result.output


def test_stream_prints_json_lines() -> None:
    price = {"channel": "prices:BTC-USD", "data": {"bid": 1.0, "ask": 2.0}}
    with WSServer([[Expect("subscribe"), Send(price), Send(price), Stall()]]) as server:
        cli._Options.factory = lambda: Sequence(
            "seq_test_cli",
            f"http://127.0.0.1:{server.port}",
            stream_options=StreamOptions(backoff=Backoff(initial=0.01, maximum=0.02)),
        )
        out = invoke("stream", "prices:BTC-USD", "--limit", "2")
        assert [json.loads(line) for line in out.strip().splitlines()] == [price, price]
        assert json.loads(server.connections[0].received[0]) == {"subscribe": ["prices:BTC-USD"]}
