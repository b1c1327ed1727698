"""``specwire sequence ...``: Sequence Markets from the command line, as readable tables.

``health``, ``quote SYMBOL``, ``markets [--venue] [--search]``, ``positions`` and ``stream CHANNEL...``
(live events until Ctrl+C or ``--limit``). The key comes from ``SEQUENCE_API_KEY`` and the base URL from
``SEQUENCE_BASE_URL`` (environment or ``.env``; default production). Read-only on purpose: trading stays
in code, where a graph_id and a review come with it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from specwire.cli._common import console, fail, run_until_interrupted, setup_logging

app = typer.Typer(
    help="Sequence Markets: health, quotes, prediction markets, positions, the live event stream.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class _Options:
    env_file: Path | None = Path(".env")
    verbose: bool = False
    #: tests replace this to run against a mock transport or a loopback socket
    factory: Callable[[], Any] | None = None


@app.callback()
def _group(
    env_file: Path = typer.Option(Path(".env"), "--env-file", help="Credentials file (missing is fine)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log requests (INFO)."),
) -> None:
    """Sequence commands; the key comes from SEQUENCE_API_KEY (environment or .env)."""
    _Options.env_file = env_file
    _Options.verbose = verbose
    setup_logging(verbose)


def _client() -> Any:
    if _Options.factory is not None:
        return _Options.factory()
    if _Options.env_file is not None and _Options.env_file.exists():
        from dotenv import load_dotenv

        load_dotenv(_Options.env_file, override=False)
    key = os.environ.get("SEQUENCE_API_KEY")
    if not key:
        raise fail("SEQUENCE_API_KEY is not set (environment or .env)")
    from specwire.sequence import Sequence

    base = os.environ.get("SEQUENCE_BASE_URL") or "https://api.sequencemkts.com"
    return Sequence(key, base)


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:,.6g}" if isinstance(value, float) else str(value)


@app.command()
def health() -> None:
    """Liveness of the service (exit 1 when it is not live)."""
    if not _client().health():
        raise fail("service is not live")
    console.print("live")


@app.command()
def quote(symbol: str, depth: int = typer.Option(5, help="Book levels per side (1..100).")) -> None:
    """NBBO, per-venue BBO and the merged book of one symbol."""
    q = _client().quote(symbol, depth=depth)
    nbbo = q.get("nbbo") or {}
    console.print(
        f"[bold]{q['symbol']}[/bold]  bid {_num(nbbo.get('bid'))}  ask {_num(nbbo.get('ask'))}  "
        f"spread {_num(nbbo.get('spread_bps'))} bps  [dim]({q.get('source', '?')})[/dim]"
    )
    table = Table("venue", "bid", "ask", "bid size", "ask size", "age ms")
    for venue, bbo in sorted((q.get("venues") or {}).items()):
        table.add_row(
            venue,
            _num(bbo.get("bid")),
            _num(bbo.get("ask")),
            _num(bbo.get("bid_size")),
            _num(bbo.get("ask_size")),
            _num(bbo.get("age_ms")),
        )
    console.print(table)


@app.command()
def markets(
    venue: str = typer.Option("polymarket", help="kalshi or polymarket."),
    search: str | None = typer.Option(None, "--search", "-q", help="Free-text search."),
    limit: int = typer.Option(20, help="Rows (1..500)."),
) -> None:
    """One page of prediction markets."""
    page = _client().markets(venue=venue, q=search, limit=limit)
    table = Table("slug", "question", "24h volume", "liquidity", "ends")
    for m in page.get("markets") or []:
        table.add_row(
            m.get("slug", ""),
            (m.get("question") or "")[:60],
            _num(m.get("volume_24h")),
            _num(m.get("liquidity")),
            m.get("end_date") or "-",
        )
    console.print(table)


@app.command()
def positions(include_closed: bool = typer.Option(False, help="Include closed/resolved rows.")) -> None:
    """Unified positions with NAV."""
    resp = _client().positions_unified(include_closed=include_closed)
    table = Table("venue", "instrument", "qty", "value USD", "uPnL USD", "state")
    for p in resp.get("positions") or []:
        inst = p.get("instrument") or {}
        name = inst.get("symbol") or inst.get("code") or inst.get("market_slug") or "?"
        table.add_row(
            p.get("venue", ""),
            f"{inst.get('kind', '?')}:{name}",
            _num(p["qty_1e8"] / 1e8),
            _num((p.get("current_value_usd_1e9") or 0) / 1e9),
            _num((p.get("unrealized_pnl_usd_1e9") or 0) / 1e9),
            (p.get("lifecycle") or {}).get("state", "-"),
        )
    console.print(table)
    totals = resp.get("totals") or {}
    if "nav_usd_1e9" in totals:
        console.print(f"NAV ${totals['nav_usd_1e9'] / 1e9:,.2f}")


@app.command()
def stream(
    channels: list[str] = typer.Argument(..., help="e.g. prices:BTC-USD fills"),
    limit: int | None = typer.Option(None, help="Stop after this many events."),
) -> None:
    """Print live events (one JSON line each) until Ctrl+C or --limit."""
    seq = _client()

    async def run() -> int:
        count = 0
        async for channel, data in seq.stream(channels):
            console.print(json.dumps({"channel": channel, "data": data}), soft_wrap=True, markup=False)
            count += 1
            if limit is not None and count >= limit:
                break
        return count

    run_until_interrupted(run)
