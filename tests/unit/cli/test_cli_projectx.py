"""The ``specwire`` command, run as a subprocess against a loopback Gateway (and market/user hubs)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from specwire.cli.main import main
from specwire.projectx.history import contract_schedule, roll_rule_for

from tests.support.signalr_hub import LoopbackHub, invocation
from tests.unit.projectx_data.pxdata_gateway import FakeGateway

SPECWIRE = str(Path(sys.executable).with_name("specwire"))
SECRET = "test-key"


def base_env(**extra: str) -> dict[str, str]:
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR") if k in os.environ}
    return {**keep, "COLUMNS": "200", "NO_COLOR": "1", **extra}


def run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SPECWIRE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


NOW = datetime.now(UTC)
# Every NQ month that was the front month lately, so a run a few days after a roll still finds its bars.
SCHEDULE = contract_schedule(roll_rule_for("NQ"), NOW - timedelta(days=10), NOW + timedelta(minutes=1))


@pytest.fixture
def front() -> str:
    return SCHEDULE[-1].contract_id


@pytest.fixture
def gateway(front: str) -> Iterator[tuple[FakeGateway, str]]:
    months = {
        seg.contract_id: {"from": NOW - timedelta(days=200), "to": NOW + timedelta(days=60)}
        for seg in SCHEDULE
    }
    gw = FakeGateway(months, now=NOW)
    with gw.serve() as url:
        yield gw, url


def expected_bars(gw: FakeGateway, days: int) -> int:
    start = NOW - timedelta(days=days)
    return sum(
        len(
            gw.bars_for(
                seg.contract_id, max(start, seg.range.start), seg.range.end - timedelta(microseconds=1), 2, 1
            )
        )
        for seg in SCHEDULE
        if seg.range.end > start
    )


def creds(url: str, **extra: str) -> dict[str, str]:
    return base_env(**{"API_BASE_URL_OVERRIDE_ENV": url, "USERNAME": "trader1", "API_KEY": SECRET, **extra})


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """In-process runs configure the ``specwire`` logger for a terminal; undo that for later tests."""
    logger = logging.getLogger("specwire")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_help_for_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    top = run(["--help"], tmp_path, base_env())
    assert top.returncode == 0 and "projectx" in top.stdout
    group = run(["projectx", "--help"], tmp_path, base_env())
    assert group.returncode == 0
    # The subcommands' help in-process (same entry point, without paying a start-up per command).
    for name in ("accounts", "contracts", "history", "quotes", "user-events", "bot"):
        assert name in group.stdout
        assert main(["projectx", name, "--help"]) == 0
        assert "Usage" in capsys.readouterr().out
    assert main(["projectx", "history", "--help"]) == 0
    hist = capsys.readouterr().out
    for flag in ("--symbol-root", "--unit", "--unit-number", "--days", "--start", "--end", "--out"):
        assert flag in hist
    assert main(["projectx", "bot", "--help"]) == 0
    bot = capsys.readouterr().out
    assert "--dry-run" in bot and "--live" in bot


def test_accounts_and_contracts_with_credentials_from_dotenv(
    tmp_path: Path, gateway: tuple[FakeGateway, str], front: str
) -> None:
    gw, url = gateway
    (tmp_path / ".env").write_text(
        f'API_BASE_URL_OVERRIDE_ENV="{url}"\nUSERNAME="trader1"\nAPI_KEY="{SECRET}"\n'
    )
    out = run(["projectx", "accounts"], tmp_path, base_env())
    assert out.returncode == 0, out.stderr
    assert "PRAC-V2-1" in out.stdout and "50,000.00" in out.stdout
    found = run(["projectx", "contracts", "ENQ", "--json"], tmp_path, base_env())
    assert found.returncode == 0 and f'"id": "{front}"' in found.stdout
    assert {"searchText": "ENQ", "live": False} in [b for p, b in gw.requests if p == "/api/Contract/search"]


def test_history_creates_then_updates_parquet(
    tmp_path: Path, gateway: tuple[FakeGateway, str], front: str
) -> None:
    gw, url = gateway
    out = tmp_path / "nq_1min.parquet"
    args = [
        "projectx",
        "history",
        "--symbol-root",
        "NQ",
        "--unit",
        "minute",
        "--unit-number",
        "1",
        "--days",
        "3",
        "--end",
        NOW.isoformat(),
        "--out",
        str(out),
    ]
    first = run(args, tmp_path, creds(url))
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout and front in first.stdout
    df = pd.read_parquet(out)
    assert len(df) == expected_bars(gw, 3) > 0 and df["contract_id"].iloc[-1] == front
    assert df["timestamp"].is_monotonic_increasing and df["timestamp"].is_unique

    gw.requests.clear()
    second = run(args, tmp_path, creds(url))
    assert second.returncode == 0, second.stderr
    assert "added 0 new bars" in second.stdout
    calls = gw.retrieve_calls()
    assert len(calls) <= 1 and all(c["startTime"] > df["timestamp"].iloc[-1].isoformat()[:19] for c in calls)

    dataset = run(
        [*args[:-1], str(tmp_path / "store"), "--start", (date.today() - timedelta(days=2)).isoformat()],
        tmp_path,
        creds(url),
    )
    assert dataset.returncode == 0, dataset.stderr
    assert list((tmp_path / "store" / "symbol=NQ" / "bar=1min").glob("month=*/data.parquet"))


def test_errors_are_one_red_line_and_traceback_only_with_debug(
    tmp_path: Path, gateway: tuple[FakeGateway, str]
) -> None:
    _, url = gateway
    bad = creds(url, API_KEY="wrong-key-do-not-print")
    res = run(["projectx", "accounts"], tmp_path, bad)
    assert res.returncode == 1
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "InvalidCredentials" in lines[0]
    assert "Traceback" not in res.stderr and "wrong-key-do-not-print" not in res.stderr + res.stdout

    debug = run(["--debug", "projectx", "accounts"], tmp_path, bad)
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    assert "wrong-key-do-not-print" not in debug.stderr + debug.stdout

    missing = run(["projectx", "accounts"], tmp_path, base_env(API_BASE_URL_OVERRIDE_ENV=url))
    assert missing.returncode == 1 and "API_KEY" in missing.stderr and "Traceback" not in missing.stderr

    unit = run(["projectx", "history", "--symbol-root", "NQ", "--unit", "fortnight"], tmp_path, creds(url))
    assert unit.returncode == 1 and "'fortnight'" in unit.stderr

    root = run(["projectx", "history", "--symbol-root", "ZZZ"], tmp_path, creds(url))
    assert root.returncode == 1 and "'ZZZ'" in root.stderr

    usage = run(["projectx", "contracts"], tmp_path, creds(url))
    assert usage.returncode == 2 and "missing argument 'search'" in usage.stderr.lower()


async def _spawn(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        SPECWIRE, *args, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


QUOTE = {
    "symbol": "F.US.ENQ",
    "symbolName": "/NQ",
    "lastPrice": 21000.25,
    "bestBid": 21000.0,
    "bestAsk": 21000.5,
    "change": 12.5,
    "changePercent": 0.06,
    "open": 20990.0,
    "high": 21010.0,
    "low": 20980.0,
    "volume": 1200,
    "lastUpdated": "2025-03-20T14:00:00Z",
    "timestamp": "2025-03-20T14:00:00Z",
}


async def test_quotes_prints_live_quotes(
    tmp_path: Path, gateway: tuple[FakeGateway, str], front: str
) -> None:
    _, url = gateway
    async with LoopbackHub() as hub:

        def on_subscribe(client: Any, args: list[Any]) -> None:
            async def send() -> None:
                for i in range(3):
                    await client.send(
                        invocation("GatewayQuote", args[0], {**QUOTE, "lastPrice": 21000.25 + i})
                    )

            asyncio.get_running_loop().create_task(send())

        hub.methods["SubscribeContractQuotes"] = on_subscribe
        env = creds(url, MARKET_HUB_URL_OVERRIDE_ENV=hub.url)
        proc = await _spawn(["projectx", "quotes", front, "--max-events", "3"], env, tmp_path)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    lines = [line for line in stdout.decode().splitlines() if front in line]
    assert (
        len(lines) == 3
        and "last 21000.2" in lines[0]
        and "bid 21000" in lines[0]
        and "last 21002.2" in lines[2]
    )
    assert SECRET not in stdout.decode() + stderr.decode()


async def test_user_events_prints_account_events(tmp_path: Path, gateway: tuple[FakeGateway, str]) -> None:
    _, url = gateway
    order = {
        "id": 36598,
        "accountId": 704,
        "contractId": "CON.F.US.ENQ.M25",
        "creationTimestamp": "2025-03-20T14:00:00+00:00",
        "updateTimestamp": "2025-03-20T14:00:01+00:00",
        "status": 1,
        "type": 1,
        "side": 0,
        "size": 1,
        "limitPrice": 21000.0,
    }
    async with LoopbackHub(path="/hubs/user") as hub:

        def on_orders(client: Any, args: list[Any]) -> None:
            assert args == [704]
            asyncio.get_running_loop().create_task(client.send(invocation("GatewayUserOrder", order)))

        hub.methods["SubscribeOrders"] = on_orders
        env = creds(url, USER_HUB_URL_OVERRIDE_ENV=hub.url, DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH="704")
        proc = await _spawn(["projectx", "user-events", "--max-events", "1"], env, tmp_path)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    text = stdout.decode()
    assert "order" in text and "36598" in text and "704" in text


async def test_bot_dry_run_stops_cleanly_on_ctrl_c(
    tmp_path: Path, gateway: tuple[FakeGateway, str], front: str
) -> None:
    gw, url = gateway
    subscribed = asyncio.Event()
    async with LoopbackHub() as hub:
        hub.methods["SubscribeContractTrades"] = lambda client, args: subscribed.set()
        env = creds(url, MARKET_HUB_URL_OVERRIDE_ENV=hub.url, DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH="704")
        proc = await _spawn(
            ["projectx", "bot", "--contract", front, "--fast", "2", "--slow", "3"], env, tmp_path
        )
        try:
            await asyncio.wait_for(subscribed.wait(), 60)
        except TimeoutError:
            proc.kill()
            raise AssertionError((await proc.communicate())[1].decode()) from None
        proc.send_signal(signal.SIGINT)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
    text = stdout.decode() + stderr.decode()
    assert proc.returncode == 0, text
    assert "DRY-RUN" in text and "bot stopped: position +0" in text
    assert gw.orders == []
    assert "Traceback" not in text
