"""The example bot's decisions on a recorded price path: dry-run, live orders, limits, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from specwire.core.errors import ConfigurationError
from specwire.projectx.bars import Bar
from specwire.projectx.bot import BotConfig, SmaCrossoverBot
from specwire.projectx.client import ProjectX
from specwire.projectx.order_placer import OrderPlacer
from specwire.projectx.strategy import Signal

from tests.unit.projectx_data.pxdata_gateway import FakeGateway

M25 = "CON.F.US.ENQ.M25"
T0 = datetime(2025, 3, 20, 14, 0, tzinfo=UTC)
# Warm-up (6 bars of decline), then live: turn up (golden cross), roll over (death cross), recover again.
WARMUP = [110, 108, 106, 104, 102, 100]
LIVE = [99, 98, 99, 101, 104, 107, 110, 112, 113, 112, 109, 105, 101, 98, 96, 99, 104, 109]


def bars(closes: list[float]) -> list[Bar]:
    return [Bar(T0 + timedelta(minutes=i), c, c + 1, c - 1, c, 10, M25) for i, c in enumerate(closes)]


def run(bot: SmaCrossoverBot) -> list[Any]:
    bot.warm_up([{"c": c} for c in WARMUP])
    return [bot.on_bar(b) for b in bars(LIVE)]


def test_dry_run_records_decisions_without_orders() -> None:
    bot = SmaCrossoverBot(BotConfig(contract_id=M25, fast=3, slow=6))
    out = run(bot)
    orders = [o for o in out if o is not None]
    assert [(o.side, o.size, o.position_after, o.signal) for o in orders] == [
        ("BUY", 1, 1, Signal.BUY),
        ("SELL", 1, 0, Signal.SELL),
        ("BUY", 1, 1, Signal.BUY),
    ]
    assert [out.index(o) for o in orders] == [4, 11, 17]
    assert all(o.dry_run and o.order_id is None for o in orders)
    assert bot.state.position == 1 and bot.state.bars_seen == len(LIVE) and bot.state.warmup_bars == 6
    assert "position +1" in bot.state.describe()


def test_live_orders_go_through_order_placer_once_each() -> None:
    gw = FakeGateway({M25: {"from": T0, "to": T0}})
    px = ProjectX(
        api_key="test-key", username="trader1", api_url="http://gateway.test", transport=gw.transport()
    )
    cfg = BotConfig(contract_id=M25, account_id=704, fast=3, slow=6, size=1, max_position=1, dry_run=False)
    bot = SmaCrossoverBot(cfg, OrderPlacer(px, 704, M25))
    run(bot)
    assert [(o["side"], o["size"], o["type"], o["contractId"], o["accountId"]) for o in gw.orders] == [
        (0, 1, 2, M25, 704),
        (1, 1, 2, M25, 704),
        (0, 1, 2, M25, 704),
    ]
    assert [o.order_id for o in bot.state.orders] == [9001, 9002, 9003]


class Placer:
    def __init__(self, results: list[Any]) -> None:
        self.results = results
        self.calls: list[tuple[str, int, str | None]] = []

    def place_market_order(self, side: str, size: int = 1, contract_id: str | None = None) -> int | None:
        self.calls.append((side, size, contract_id))
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def test_short_side_and_position_limit() -> None:
    placer = Placer([1, 2, 3])
    cfg = BotConfig(
        contract_id=M25, account_id=1, fast=3, slow=6, size=1, max_position=1, allow_short=True, dry_run=False
    )
    bot = SmaCrossoverBot(cfg, placer)
    run(bot)
    # Long 1, then reverse to short 1 in one order of 2, then back to long 1: never beyond +-1.
    assert placer.calls == [("BUY", 1, M25), ("SELL", 2, M25), ("BUY", 2, M25)]
    assert [o.position_after for o in bot.state.orders] == [1, -1, 1]
    # An oversized existing position is only ever reduced.
    bot2 = SmaCrossoverBot(attrs_evolve(cfg, allow_short=False), Placer([7]), initial_position=3)
    bot2.warm_up(WARMUP)
    bot2.on_bar(bars([99])[0])
    assert bot2.state.position == 1 and bot2.state.orders[0].side == "SELL" and bot2.state.orders[0].size == 2


def attrs_evolve(cfg: BotConfig, **kw: Any) -> BotConfig:
    import attrs

    return attrs.evolve(cfg, **kw)


def test_rejection_keeps_position_and_unknown_outcome_halts_trading() -> None:
    cfg = BotConfig(contract_id=M25, account_id=1, fast=3, slow=6, dry_run=False)
    rejected = SmaCrossoverBot(cfg, Placer([None, None, None]))
    run(rejected)
    assert (
        rejected.state.position == 0 and rejected.state.rejected == 2 and rejected.state.orders == []
    )  # both BUYs

    placer = Placer([TimeoutError("read timed out")])
    halted = SmaCrossoverBot(cfg, placer)
    run(halted)
    assert len(placer.calls) == 1  # never resent, no further orders after the unknown outcome
    assert halted.state.halted and "read timed out" in halted.state.halted
    assert "HALTED" in halted.state.describe()


def test_config_is_checked_before_anything_runs() -> None:
    with pytest.raises(ConfigurationError, match="fast period"):
        BotConfig(contract_id=M25, fast=30, slow=10)
    with pytest.raises(ConfigurationError, match="account id"):
        BotConfig(contract_id=M25, dry_run=False)
    with pytest.raises(ConfigurationError, match="size 3 exceeds max_position 1"):
        BotConfig(contract_id=M25, size=3)
    with pytest.raises(ConfigurationError, match="max_position must be a positive integer, got 0"):
        BotConfig(contract_id=M25, max_position=0)
    with pytest.raises(ConfigurationError, match="order placer"):
        SmaCrossoverBot(BotConfig(contract_id=M25, account_id=1, dry_run=False))
