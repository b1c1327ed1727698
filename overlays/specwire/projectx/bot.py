"""The example SMA-crossover trading bot: history warm-up, live bars, signals, orders, clean stop.

:class:`SmaCrossoverBot` is the decision and bookkeeping core, free of I/O
apart from the order placer it is given, so its behaviour on a recorded price
path is testable. :func:`run_bot` wires it to a ProjectX client: warm-up bars
from ``px.history.bars``, live trades from the market hub folded into bars by
:class:`~specwire.projectx.bars.BarBuilder`, orders through
:class:`~specwire.projectx.order_placer.OrderPlacer`.

Safety rules:

* ``dry_run`` (the default) never sends an order; it logs what it would do and
  assumes the fill, so the bookkeeping matches a live run.
* The position never exceeds ``max_position`` contracts either way.
* Orders are sent once. If an outcome is unknown (timeout, "pending" codes)
  the bot stops trading instead of guessing, and says so in its state.
* Ctrl+C (or ``stop()``) ends the run cleanly and logs the final state.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from specwire.core.errors import ConfigurationError
from specwire.projectx.bars import Bar, BarBuilder, bar_seconds
from specwire.projectx.strategy import Signal, SmaCrossover, target_position

log = logging.getLogger("specwire.projectx.bot")


def _positive(name: str) -> Callable[[Any, Any, Any], None]:
    def check(_inst: Any, _attr: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigurationError(f"{name} must be a positive integer, got {value!r}")

    return check


@attrs.frozen(kw_only=True)
class BotConfig:
    """What the bot trades and how much."""

    contract_id: str
    account_id: int | None = None
    fast: int = attrs.field(default=10, validator=_positive("fast"))
    slow: int = attrs.field(default=30, validator=_positive("slow"))
    size: int = attrs.field(default=1, validator=_positive("size"))
    max_position: int = attrs.field(default=1, validator=_positive("max_position"))
    allow_short: bool = False
    unit: int = 2
    unit_number: int = 1
    dry_run: bool = True

    def __attrs_post_init__(self) -> None:
        if self.fast >= self.slow:
            raise ConfigurationError(
                f"fast period ({self.fast}) must be shorter than slow period ({self.slow})"
            )
        if self.size > self.max_position:
            raise ConfigurationError(f"size {self.size} exceeds max_position {self.max_position}")
        if not self.dry_run and self.account_id is None:
            raise ConfigurationError(
                "live trading needs an account id (--account or DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH)"
            )
        try:
            bar_seconds(self.unit, self.unit_number)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None


@attrs.frozen
class OrderRecord:
    """One order the bot sent (or, in dry-run, would have sent)."""

    at: datetime
    side: str
    size: int
    position_after: int
    order_id: int | None
    dry_run: bool
    signal: Signal


@attrs.define
class BotState:
    """Everything worth logging when the bot stops."""

    position: int = 0
    bars_seen: int = 0
    warmup_bars: int = 0
    last_close: float | None = None
    last_signal: Signal = Signal.HOLD
    orders: list[OrderRecord] = attrs.field(factory=list)
    rejected: int = 0
    halted: str | None = None

    def describe(self) -> str:
        tail = f"; HALTED: {self.halted}" if self.halted else ""
        return (
            f"position {self.position:+d}, {self.bars_seen} live bars after {self.warmup_bars} warm-up bars, "
            f"last close {self.last_close}, last signal {self.last_signal.value}, "
            f"{len(self.orders)} order(s), {self.rejected} rejected{tail}"
        )


class SmaCrossoverBot:
    """Turns closed bars into orders by the SMA-crossover rule, within the position limit.

    ``order_placer`` needs ``place_market_order(side, size, contract_id=...)``
    returning an order id or ``None`` for a rejection (the seed's
    ``OrderPlacer``); it may be ``None`` in dry-run.
    """

    def __init__(
        self,
        config: BotConfig,
        order_placer: Any = None,
        *,
        clock: Callable[[], datetime] | None = None,
        initial_position: int = 0,
    ) -> None:
        if not config.dry_run and order_placer is None:
            raise ConfigurationError("live trading needs an order placer")
        if abs(initial_position) > config.max_position:
            log.warning(
                "existing position %+d exceeds max_position %d; the bot will only reduce it",
                initial_position,
                config.max_position,
            )
        self.config = config
        self.order_placer = order_placer
        self.clock = clock or (lambda: datetime.now(UTC))
        self.strategy = SmaCrossover(config.fast, config.slow)
        self.state = BotState(position=initial_position)
        self._lock = threading.Lock()

    def warm_up(self, bars: Iterable[Any]) -> int:
        """Feed historical closes (bar records or numbers) so the averages are ready; never trades."""
        n = 0
        for bar in bars:
            close = bar if isinstance(bar, int | float) else _close_of(bar)
            self.strategy.update(float(close))
            self.state.last_close = float(close)
            n += 1
        self.state.warmup_bars += n
        self.state.last_signal = Signal.HOLD
        log.info("warm-up: %d bars, fast=%s slow=%s", n, self.strategy.fast.value, self.strategy.slow.value)
        return n

    def on_bar(self, bar: Bar | Any) -> OrderRecord | None:
        """Process one closed bar; returns the order it sent (or would send in dry-run)."""
        with self._lock:
            close = float(_close_of(bar))
            signal = self.strategy.update(close)
            st = self.state
            st.bars_seen += 1
            st.last_close = close
            st.last_signal = signal
            if st.halted:
                return None
            cfg = self.config
            want = target_position(
                signal, st.position, size=cfg.size, max_position=cfg.max_position, allow_short=cfg.allow_short
            )
            delta = want - st.position
            if delta == 0:
                return None
            return self._order(signal, delta)

    def _order(self, signal: Signal, delta: int) -> OrderRecord | None:
        st, cfg = self.state, self.config
        side = "BUY" if delta > 0 else "SELL"
        size = abs(delta)
        order_id: int | None = None
        if cfg.dry_run:
            log.info(
                "[dry-run] %s: would %s %d %s (position %+d -> %+d)",
                signal.value,
                side,
                size,
                cfg.contract_id,
                st.position,
                st.position + delta,
            )
        else:
            try:
                order_id = self.order_placer.place_market_order(side, size, contract_id=cfg.contract_id)
            except Exception as exc:  # outcome unknown or transport failure: never resend, stop trading
                st.halted = f"order outcome unknown after {side} {size}: {exc}"
                log.error("stopping trading: %s", st.halted)
                return None
            if order_id is None:
                st.rejected += 1
                log.warning(
                    "%s %d %s was rejected; position stays %+d", side, size, cfg.contract_id, st.position
                )
                return None
            log.info("%s: sent %s %d %s as order %s", signal.value, side, size, cfg.contract_id, order_id)
        st.position += delta
        record = OrderRecord(self.clock(), side, size, st.position, order_id, cfg.dry_run, signal)
        st.orders.append(record)
        return record


def _close_of(bar: Any) -> float:
    for name in ("close", "c"):
        value = bar.get(name) if isinstance(bar, dict) else getattr(bar, name, None)
        if value is not None:
            return float(value)
    raise ValueError(f"bar {bar!r} has no close price")


def current_position(px: Any, account_id: int, contract_id: str) -> int:
    """Signed size of the open position in ``contract_id`` (Long positive, Short negative)."""
    total = 0
    for pos in px.positions.search_open(account_id):
        if getattr(pos, "contract_id", None) == contract_id:
            sign = -1 if int(getattr(pos, "type", 1)) == 2 else 1
            total += sign * int(pos.size)
    return total


def open_market_stream(px: Any, **options: Any) -> Any:
    """``px.market_stream()`` when the client offers it, else a :class:`MarketStream` on its session."""
    factory = getattr(px, "market_stream", None)
    if callable(factory):
        return factory(**options)
    from specwire.projectx.streams.market import MarketStream

    return MarketStream(px.session.market_hub_url, session=px.session, **options)


async def _run_live(
    px: Any, bot: SmaCrossoverBot, config: BotConfig, stop: threading.Event, flush_every: float | None
) -> None:
    """Trades feed the bar builder on the stream's loop; closed bars go through a queue to a worker
    that runs the bot (and its blocking order calls) in a thread, one bar at a time and in order,
    so a slow order never stalls the socket reader or the hub's keep-alive."""
    closed: asyncio.Queue[Bar] = asyncio.Queue()
    builder = BarBuilder.for_unit(
        config.unit, config.unit_number, closed.put_nowait, contract_id=config.contract_id
    )

    async def trade_closed_bars() -> None:
        while True:
            bar = await closed.get()
            await asyncio.to_thread(bot.on_bar, bar)

    async with open_market_stream(px) as stream:
        await stream.subscribe_trades(config.contract_id)
        log.info("live: trades of %s subscribed", config.contract_id)
        loop = asyncio.get_running_loop()

        async def timer() -> None:
            # Closes bars in quiet markets, and ends the stream when stop() is set from another thread.
            last_flush = loop.time()
            while not stop.is_set():
                await asyncio.sleep(0.05)
                if flush_every is not None and loop.time() - last_flush >= flush_every:
                    builder.flush(datetime.now(UTC))
                    last_flush = loop.time()
            await stream.stop()

        tasks = [asyncio.create_task(timer()), asyncio.create_task(trade_closed_bars())]
        try:
            async for event in stream:
                if getattr(event, "kind", None) == "trade" and event.contract_id == config.contract_id:
                    builder.add_trade(event.trade)
        finally:
            for task in tasks:
                task.cancel()
            if not closed.empty():
                log.info("stopping with %d closed bar(s) not traded", closed.qsize())


def run_bot(
    px: Any,
    config: BotConfig,
    *,
    warmup_days: int = 5,
    order_placer: Any = None,
    stop: threading.Event | None = None,
    flush_every: float | None = 1.0,
) -> BotState:
    """Warm up from history, trade live bars until Ctrl+C or ``stop`` is set; returns the final state.

    ``flush_every`` (seconds, ``None`` = never) closes the current bar by the
    wall clock when no trade arrives after its end.
    """
    if order_placer is None and not config.dry_run:
        from specwire.projectx.order_placer import OrderPlacer

        assert config.account_id is not None
        order_placer = OrderPlacer(px, config.account_id, config.contract_id)
    initial = 0
    if config.account_id is not None:
        initial = current_position(px, config.account_id, config.contract_id)
    bot = SmaCrossoverBot(config, order_placer, initial_position=initial)
    end = datetime.now(UTC)
    history = px.history.bars(
        config.contract_id,
        start=end - timedelta(days=warmup_days),
        end=end,
        unit=config.unit,
        unit_number=config.unit_number,
    )
    bot.warm_up(history)
    stop = stop or threading.Event()
    mode = "DRY-RUN (no orders)" if config.dry_run else "LIVE"
    log.info("bot started in %s mode on %s: %s", mode, config.contract_id, bot.state.describe())
    try:
        asyncio.run(_run_live(px, bot, config, stop, flush_every))
    except KeyboardInterrupt:
        log.info("Ctrl+C: stopping")
    finally:
        stop.set()
        log.info("bot stopped: %s", bot.state.describe())
    return bot.state
