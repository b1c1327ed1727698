"""``specwire projectx ...``: the seed's scripts as subcommands.

``accounts``, ``contracts SEARCH``, ``history`` (fetch/update Parquet),
``quotes CONTRACT...`` and ``user-events`` (live, until Ctrl+C) and ``bot``
(the SMA-crossover example, dry-run unless ``--live``). Credentials and URL
overrides come from ``.env`` / the environment (``API_KEY``, ``USERNAME``,
``API_BASE_URL_OVERRIDE_ENV``, ... or their ``PROJECTX_*`` spellings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from specwire.cli._common import (
    closing_client,
    console,
    err_console,
    parse_when,
    run_until_interrupted,
    setup_logging,
)
from specwire.core.errors import ConfigurationError

app = typer.Typer(
    help="ProjectX Gateway (TopstepX): accounts, contracts, history, live streams and the example bot.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

UNIT_NAMES = {"second": 1, "minute": 2, "hour": 3, "day": 4, "week": 5, "month": 6}


class _Options:
    env_file: Path | None = Path(".env")
    firm: str | None = None
    verbose: bool = False


@app.callback()
def _group(
    env_file: Path = typer.Option(Path(".env"), "--env-file", help="Credentials file (missing is fine)."),
    firm: str | None = typer.Option(None, "--firm", help="ProjectX firm host set (default TopstepX)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress (INFO)."),
) -> None:
    """ProjectX Gateway commands; credentials from .env or the environment."""
    _Options.env_file = env_file
    _Options.firm = firm
    _Options.verbose = verbose
    setup_logging(verbose)


def _client() -> Any:
    from specwire.projectx.client import ProjectX

    return ProjectX.from_env(_Options.env_file, firm=_Options.firm)


def _dump(models: list[Any]) -> None:
    for m in models:
        console.print_json(json.dumps(m.to_dict(), default=str))


@app.command()
def accounts(
    all_accounts: bool = typer.Option(False, "--all", help="Include inactive accounts."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per account."),
) -> None:
    """List trading accounts (id, name, balance, can trade, simulated)."""
    with closing_client(_client()) as px:
        found = px.accounts.search(only_active=not all_accounts)
    if as_json:
        _dump(found)
        return
    table = Table("id", "name", "balance", "can trade", "simulated", title=f"{len(found)} account(s)")
    for a in found:
        table.add_row(
            str(a.id), a.name, f"{a.balance:,.2f}", str(a.can_trade), str(getattr(a, "simulated", ""))
        )
    console.print(table)


@app.command()
def contracts(
    search: str = typer.Argument(..., help="Text to search for, e.g. NQ."),
    live: bool = typer.Option(False, "--live", help="Search the live data subscription instead of sim."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per contract."),
) -> None:
    """Search contracts by name (the Gateway returns at most 20, active months only)."""
    with closing_client(_client()) as px:
        found = px.contracts.search(search, live=live)
    if as_json:
        _dump(found)
        return
    table = Table(
        "id", "name", "description", "tick size", "tick value", "active", title=f"{len(found)} contract(s)"
    )
    for c in found:
        table.add_row(
            c.id, c.name, c.description, f"{c.tick_size:g}", f"{c.tick_value:g}", str(c.active_contract)
        )
    console.print(table)


def _unit(value: str) -> int:
    key = value.strip().lower().rstrip("s")
    if key in UNIT_NAMES:
        return UNIT_NAMES[key]
    try:
        unit = int(value)
    except ValueError:
        unit = -1
    if unit not in range(1, 8):
        raise ConfigurationError(f"--unit {value!r} is not 1..7 or one of {', '.join(UNIT_NAMES)}")
    return unit


@app.command()
def history(
    symbol_root: str = typer.Option(
        ..., "--symbol-root", help="Futures root, e.g. NQ, ES, MNQ (or ENQ, EP)."
    ),
    unit: str = typer.Option("minute", "--unit", help="Bar unit: second|minute|hour|day|week|month or 1..6."),
    unit_number: int = typer.Option(
        1, "--unit-number", help="Units per bar (5 with minute = 5-minute bars)."
    ),
    days: int = typer.Option(90, "--days", help="Days to fetch when the output holds no data yet."),
    start: str | None = typer.Option(
        None, "--start", help="Fetch from this UTC date/time (overrides --days)."
    ),
    end: str | None = typer.Option(None, "--end", help="Fetch up to this UTC date/time (default now)."),
    out: Path = typer.Option(
        Path("data"),
        "--out",
        help="A .parquet file, or a directory for the partitioned store (symbol=/bar=/month=).",
    ),
    contract: str | None = typer.Option(
        None, "--contract", help="Pin one contract id instead of following rolls."
    ),
    fill_gaps: bool = typer.Option(
        True, "--fill-gaps/--no-fill-gaps", help="Look for and fetch missing bars."
    ),
    rescan_gaps: bool = typer.Option(False, "--rescan-gaps", help="Re-check the whole history for gaps."),
    retry_unfillable: bool = typer.Option(
        False, "--retry-unfillable", help="Forget gaps recorded as unfillable and ask for them again."
    ),
    live: bool = typer.Option(False, "--live", help="Use the live data subscription instead of sim."),
    holiday: list[str] = typer.Option(
        [], "--holiday", help="Exchange holiday (trade date YYYY-MM-DD) without a session; repeatable."
    ),
) -> None:
    """Fetch or update historical bars into Parquet, following contract rolls and filling gaps."""
    from specwire.projectx.history.calendar import CME_GLOBEX, with_holidays
    from specwire.projectx.history.updater import HistoricalDataUpdater, UpdateProgress

    holidays = []
    for text in holiday:
        parsed = parse_when(text, "--holiday")
        assert parsed is not None
        holidays.append(parsed.date())

    unit_code = _unit(unit)
    start_dt, end_dt = parse_when(start, "--start"), parse_when(end, "--end")
    with (
        closing_client(_client()) as px,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress,
    ):
        tasks: dict[str, Any] = {}

        def report(p: UpdateProgress) -> None:
            if p.phase not in tasks:
                tasks[p.phase] = progress.add_task(f"{p.phase} {symbol_root}", total=p.total)
            progress.update(
                tasks[p.phase],
                completed=p.done,
                description=f"{p.phase} {p.contract_id} (+{p.bars} bars)",
            )

        updater = HistoricalDataUpdater(
            px,
            symbol_root,
            out,
            api_bar_unit=unit_code,
            api_bar_unit_number=unit_number,
            fetch_days_if_new=days,
            start=start_dt,
            end=end_dt,
            contract_id=contract,
            live=live,
            fill_gaps=fill_gaps,
            rescan_gaps=rescan_gaps,
            retry_unfillable=retry_unfillable,
            calendar=with_holidays(CME_GLOBEX, holidays),
            progress=report,
        )
        summary = updater.update_data()
    console.print(f"[green]{symbol_root} {updater.label}[/green] -> {out}: {summary}")
    for rng in summary.unfillable[:10]:
        console.print(f"  unfillable: {rng}")
    if len(summary.unfillable) > 10:
        console.print(
            f"  ... and {len(summary.unfillable) - 10} more (see the .gaps.json / _gaps.json ledger)"
        )


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


@app.command()
def quotes(
    contract_ids: list[str] = typer.Argument(..., help="Contract ids, e.g. CON.F.US.ENQ.M25."),
    trades: bool = typer.Option(False, "--trades", help="Also print trades."),
    max_events: int | None = typer.Option(None, "--max-events", help="Stop after this many events."),
) -> None:
    """Print live quotes (and trades) until Ctrl+C."""
    from specwire.projectx.bot import open_market_stream

    async def watch() -> None:
        seen = 0
        async with open_market_stream(px) as stream:
            await stream.subscribe_quotes(*contract_ids)
            if trades:
                await stream.subscribe_trades(*contract_ids)
            err_console.print(f"[dim]watching {', '.join(contract_ids)}; Ctrl+C to stop[/dim]")
            async for event in stream:
                kind = getattr(event, "kind", "")
                if kind == "quote":
                    q = event.quote
                    console.print(
                        f"{_fmt(getattr(q, 'timestamp', None))} {event.contract_id} last {_fmt(q.last_price)} "
                        f"bid {_fmt(q.best_bid)} ask {_fmt(q.best_ask)} chg {_fmt(getattr(q, 'change_percent', None))}%"
                    )
                elif kind == "trade":
                    t = event.trade
                    console.print(
                        f"{_fmt(t.timestamp)} {event.contract_id} trade {_fmt(t.volume)} @ {_fmt(t.price)}"
                    )
                else:
                    continue
                seen += 1
                if max_events is not None and seen >= max_events:
                    break

    with closing_client(_client()) as px:
        run_until_interrupted(watch)


def _describe_user_event(event: Any) -> str:
    kind = getattr(event, "kind", type(event).__name__)
    body = getattr(event, kind if kind != "user_trade" else "trade", None)
    if body is None:
        return f"{kind}"
    fields = {
        k: getattr(body, k) for k in getattr(body, "__struct_fields__", ()) if getattr(body, k) is not None
    }
    shown = " ".join(f"{k}={v}" for k, v in fields.items())
    return f"{kind:<10} {shown}"


@app.command("user-events")
def user_events(
    account: int | None = typer.Option(
        None, "--account", help="Account id (default DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH)."
    ),
    max_events: int | None = typer.Option(None, "--max-events", help="Stop after this many events."),
) -> None:
    """Print live account, order, position and trade events until Ctrl+C."""
    from specwire.projectx.streams.user import UserStream

    async def watch() -> None:
        factory = getattr(px, "user_stream", None)
        stream = (
            factory()
            if callable(factory)
            else UserStream(px.session.user_hub_url, session=px.session, rest=px)
        )
        seen = 0
        async with stream:
            await stream.subscribe_account(account_id)
            err_console.print(f"[dim]watching account {account_id}; Ctrl+C to stop[/dim]")
            async for event in stream:
                console.print(_describe_user_event(event))
                seen += 1
                if max_events is not None and seen >= max_events:
                    break

    with closing_client(_client()) as px:
        account_id = account if account is not None else px.config.default_account_id
        if account_id is None:
            raise ConfigurationError(
                "no account: pass --account or set DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH in .env"
            )
        run_until_interrupted(watch)


@app.command()
def bot(
    contract: str | None = typer.Option(
        None, "--contract", help="Contract id (default DEFAULT_CONFIG_CONTRACT_ID)."
    ),
    account: int | None = typer.Option(
        None, "--account", help="Account id (default DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH)."
    ),
    fast: int = typer.Option(10, "--fast", help="Fast SMA period (bars)."),
    slow: int = typer.Option(30, "--slow", help="Slow SMA period (bars)."),
    size: int = typer.Option(1, "--size", help="Contracts per entry."),
    max_position: int = typer.Option(1, "--max-position", help="Largest absolute position allowed."),
    allow_short: bool = typer.Option(
        False, "--allow-short", help="Go short on a sell signal (default: flat)."
    ),
    unit: str = typer.Option("minute", "--unit", help="Bar unit: second|minute|hour."),
    unit_number: int = typer.Option(1, "--unit-number", help="Units per bar."),
    warmup_days: int = typer.Option(3, "--warmup-days", help="Days of history for the averages."),
    dry_run: bool = typer.Option(
        True, "--dry-run/--live", help="Dry run (default) logs orders; --live sends them."
    ),
) -> None:
    """Run the SMA-crossover example bot until Ctrl+C (dry run unless --live)."""
    import logging

    from specwire.projectx.bot import BotConfig, run_bot

    if not _Options.verbose:
        logging.getLogger("specwire.projectx.bot").setLevel(logging.INFO)
    with closing_client(_client()) as px:
        contract_id = contract or px.config.default_contract_id
        if not contract_id:
            raise ConfigurationError("no contract: pass --contract or set DEFAULT_CONFIG_CONTRACT_ID in .env")
        config = BotConfig(
            contract_id=contract_id,
            account_id=account if account is not None else px.config.default_account_id,
            fast=fast,
            slow=slow,
            size=size,
            max_position=max_position,
            allow_short=allow_short,
            unit=_unit(unit),
            unit_number=unit_number,
            dry_run=dry_run,
        )
        state = run_bot(px, config, warmup_days=warmup_days)
    console.print(f"bot stopped: {state.describe()}")
