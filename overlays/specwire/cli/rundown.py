"""``specwire rundown ...``: TheRundown v2 from the command line, as readable tables.

``sports``, ``sportsbooks``, ``events SPORT [--date]``, ``odds SPORT [--market ...] [--book ...]``,
``stream`` (live prices until Ctrl+C or ``--limit``), and ``save-history EVENT`` / ``save-closing SPORT``
(into the Parquet layout of :mod:`specwire.therundown.history`). The key comes from ``THERUNDOWN_API_KEY``
(environment or ``.env``); sports and sportsbooks work without one. Each command ends with a dim line on
stderr saying how many data points it cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from specwire.cli._common import console, err_console, run_until_interrupted, setup_logging
from specwire.therundown.odds import format_american

app = typer.Typer(
    help="TheRundown v2 sports odds: sports, sportsbooks, events, odds tables, the live price stream.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class _Options:
    env_file: Path | None = Path(".env")
    tier: str | None = None
    verbose: bool = False
    #: tests replace this to run against a mock transport or a loopback socket
    factory: Callable[..., Any] | None = None


@app.callback()
def _group(
    env_file: Path = typer.Option(Path(".env"), "--env-file", help="Credentials file (missing is fine)."),
    tier: str | None = typer.Option(
        None, "--tier", help="Your plan (free, starter, pro, ultra, ...): sets the request rate."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log requests (INFO)."),
) -> None:
    """TheRundown commands; the API key comes from THERUNDOWN_API_KEY (environment or .env)."""
    _Options.env_file = env_file
    _Options.tier = tier
    _Options.verbose = verbose
    setup_logging(verbose)


def _client(asynchronous: bool = False) -> Any:
    if _Options.factory is not None:
        return _Options.factory(asynchronous=asynchronous, tier=_Options.tier)
    if _Options.env_file is not None and _Options.env_file.exists():
        from dotenv import load_dotenv

        load_dotenv(_Options.env_file, override=False)
    from specwire.therundown import AsyncTheRundown, TheRundown

    cls = AsyncTheRundown if asynchronous else TheRundown
    return cls(tier=_Options.tier)


def _usage_line(client: Any) -> None:
    totals = client.usage.snapshot()
    parts = [f"{totals['requests']} request(s)", f"{totals['datapoints']} data point(s)"]
    if totals["remaining"] is not None:
        parts.append(f"{totals['remaining']} left this {totals['period'] or 'period'}")
    if totals["tier"]:
        parts.append(f"plan {totals['tier']}")
    err_console.print(f"[dim]{', '.join(parts)}[/dim]")


def _day(value: str | None) -> dt.date:
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    from specwire.therundown.params import day

    return dt.date.fromisoformat(day(value, "--date"))


def _set(value: Any) -> Any:
    from specwire_gen.therundown.types import Unset

    return None if isinstance(value, Unset) else value


@app.command()
def sports() -> None:
    """Every sport and its id."""
    with _client() as client:
        result = client.sports()
        table = Table("ID", "Sport", title="Sports")
        for sport in _set(result.sports) or []:
            table.add_row(str(sport.sport_id), str(sport.sport_name))
        console.print(table)
        _usage_line(client)


@app.command()
def sportsbooks() -> None:
    """Every sportsbook (affiliate) and its id."""
    with _client() as client:
        result = client.sportsbooks()
        table = Table("ID", "Sportsbook", "URL", title="Sportsbooks")
        for book in _set(result.affiliates) or []:
            table.add_row(
                str(book.affiliate_id), str(book.affiliate_name), str(_set(book.affiliate_url) or "")
            )
        console.print(table)
        _usage_line(client)


def _teams(event: Any) -> tuple[str, str]:
    teams = _set(event.teams) or []
    away = next((t for t in teams if _set(t.is_away)), teams[0] if teams else None)
    home = next((t for t in teams if _set(t.is_home)), teams[1] if len(teams) > 1 else None)

    def name(team: Any) -> str:
        if team is None:
            return ""
        return " ".join(str(x) for x in (_set(team.name), _set(team.mascot)) if x)

    if away is None and home is None:
        schedule = _set(event.schedule)
        return (str(_set(schedule.event_name) or "") if schedule else "", "")
    return name(away), name(home)


@app.command()
def events(
    sport: str = typer.Argument(..., help="Sport id or name (4, NBA, nfl, ...)."),
    date: str | None = typer.Option(None, "--date", help="Day, YYYY-MM-DD (default today, UTC)."),
    offset: int | None = typer.Option(
        None, "--offset", help="Minutes behind UTC for the day boundary (300 = US Central)."
    ),
) -> None:
    """Events of a sport on a day, with status and score (no prices)."""
    with _client() as client:
        result = client.events(sport, _day(date), affiliate_ids=0, offset=offset)
        table = Table(
            "Event", "Start (UTC)", "Away", "Home", "Status", "Score", title=f"Events {sport} {_day(date)}"
        )
        for event in _set(result.events) or []:
            away, home = _teams(event)
            score = _set(event.score)
            status = str(_set(score.event_status) or "") if score else ""
            points = f"{_set(score.score_away) or 0}-{_set(score.score_home) or 0}" if score else ""
            table.add_row(
                str(event.event_id),
                str(_set(event.event_date) or ""),
                away,
                home,
                status.replace("STATUS_", ""),
                points,
            )
        console.print(table)
        _usage_line(client)


@app.command()
def odds(
    sport: str = typer.Argument(..., help="Sport id or name."),
    date: str | None = typer.Option(None, "--date", help="Day, YYYY-MM-DD (default today, UTC)."),
    market: list[str] = typer.Option(
        ["moneyline", "spread", "totals"],
        "--market",
        "-m",
        help="Market id or name (repeatable, at most 12).",
    ),
    book: list[str] | None = typer.Option(
        None, "--book", "-b", help="Sportsbook id or name (repeatable; default all)."
    ),
    all_lines: bool = typer.Option(
        False, "--all-lines", help="Alternate lines too (default: main lines only)."
    ),
    offset: int | None = typer.Option(None, "--offset", help="Minutes behind UTC for the day boundary."),
) -> None:
    """Prices per event, market, participant, line and sportsbook."""
    from specwire.therundown.flatten import iter_price_rows

    with _client() as client:
        result = client.events(
            sport,
            _day(date),
            market_ids=market,
            affiliate_ids=book or None,
            main_line=not all_lines,
            offset=offset,
        )
        books = client.sportsbooks()
        names = {b.affiliate_id: str(b.affiliate_name) for b in _set(books.affiliates) or []}
        labels = {e.event_id: " @ ".join(_teams(e)) for e in _set(result.events) or []}
        table = Table(
            "Event",
            "Market",
            "Participant",
            "Line",
            "Book",
            "Price",
            "Updated",
            title=f"Odds {sport} {_day(date)}",
        )
        rows = 0
        for row in iter_price_rows(result):
            table.add_row(
                labels.get(row.event_id, str(row.event_id)),
                str(row.market_name or row.market_id),
                str(row.participant_name or row.participant_id),
                row.line or "",
                names.get(row.sportsbook_id, str(row.sportsbook_id)),
                format_american(row.price, off_board="Off Board"),
                str(row.updated_at or ""),
            )
            rows += 1
        console.print(table if rows else "[dim]no prices[/dim]")
        _usage_line(client)


@app.command()
def stream(
    sport: list[str] | None = typer.Option(None, "--sport", "-s", help="Sport id or name (repeatable)."),
    market: list[str] | None = typer.Option(None, "--market", "-m", help="Market id or name (repeatable)."),
    book: list[str] | None = typer.Option(None, "--book", "-b", help="Sportsbook id or name (repeatable)."),
    limit: int | None = typer.Option(None, "--limit", help="Stop after this many updates."),
    catch_up: bool = typer.Option(
        True, "--catch-up/--no-catch-up", help="Fill reconnect gaps from the delta feed (needs one --sport)."
    ),
) -> None:
    """Live price updates from the WebSocket (Ultra plan or higher) until Ctrl+C or --limit."""
    from specwire.therundown.streams import StreamResync

    async def run() -> int:
        count = 0
        async with _client(asynchronous=True) as client:
            feed = client.stream(
                sport_ids=sport or None,
                market_ids=market or None,
                affiliate_ids=book or None,
                catch_up=catch_up and sport is not None and len(sport) == 1,
                on_state_change=lambda change: err_console.print(
                    f"[dim]{change.new.value}: {change.reason}[/dim]"
                ),
                on_error=lambda exc: err_console.print(f"[yellow]warning:[/yellow] {exc}"),
            )
            async for item in feed:
                if isinstance(item, StreamResync):
                    console.print("[yellow]resync: cursor was stale, state reloaded from a snapshot[/yellow]")
                    continue
                line = (
                    "" if isinstance(item.line, type(None)) or not isinstance(item.line, str) else item.line
                )
                console.print(
                    f"{item.updated_at if isinstance(item.updated_at, str) else '':20}  event {item.event_id}  "
                    f"market {item.market_id:<5} book {item.affiliate_id:<3} line {line or '-':>7}  "
                    f"{format_american(item.price, off_board='Off Board'):>9}"
                )
                count += 1
                if limit is not None and count >= limit:
                    break
            _usage_line(client)
        return count

    run_until_interrupted(run)


@app.command("save-history")
def save_history(
    event_id: str = typer.Argument(..., help="Canonical event id."),
    root: Path = typer.Option(Path("data/therundown"), "--root", help="Store root."),
    market: list[str] | None = typer.Option(None, "--market", "-m", help="Market id or name (repeatable)."),
    book: list[str] | None = typer.Option(None, "--book", "-b", help="Sportsbook id or name (repeatable)."),
) -> None:
    """Fetch an event's full price history and merge it into the Parquet store."""
    from specwire.therundown.history import OddsHistoryStore

    store = OddsHistoryStore(root)
    with _client() as client:
        result = store.write_market_history(
            client.market_history(event_id, market_ids=market or None, affiliate_ids=book or None)
        )
        console.print(
            f"{result.added} new change(s), {result.total} stored in {store.path('market_history', event_id)}"
        )
        _usage_line(client)


@app.command("save-closing")
def save_closing(
    sport: str = typer.Argument(..., help="Sport id or name."),
    date: str | None = typer.Option(None, "--date", help="Day, YYYY-MM-DD (default today, UTC)."),
    root: Path = typer.Option(Path("data/therundown"), "--root", help="Store root."),
    market: list[str] | None = typer.Option(None, "--market", "-m", help="Market id or name (repeatable)."),
) -> None:
    """Fetch a day's closing lines and merge them into the Parquet store (one file per event)."""
    from specwire.therundown.history import OddsHistoryStore

    store = OddsHistoryStore(root)
    with _client() as client:
        result = store.write_closing_lines(client.closing(sport, _day(date), market_ids=market or None))
        console.print(
            f"{result.files_written} event file(s) written, {result.added} new line(s) under {root / 'closing'}"
        )
        _usage_line(client)
