"""Shared pieces of the command line: consoles, the --debug flag, clean failure and Ctrl+C handling.

Every group reports failures the same way: one red line on stderr naming what
went wrong and a non-zero exit; the traceback only with ``specwire --debug``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import typer
from rich.console import Console

from specwire.core.errors import ConfigurationError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

T = TypeVar("T")


class CLIState:
    """Process-wide flags set by the top-level callback."""

    debug: bool = bool(os.environ.get("SPECWIRE_DEBUG"))


def setup_logging(verbose: bool) -> None:
    """Route the ``specwire`` loggers to stderr through rich (once per process; root logging untouched)."""
    from rich.logging import RichHandler

    level = logging.DEBUG if CLIState.debug else (logging.INFO if verbose else logging.WARNING)
    logger = logging.getLogger("specwire")
    logger.setLevel(level)
    if not any(getattr(h, "_specwire_cli", False) for h in logger.handlers):
        handler = RichHandler(console=err_console, show_path=CLIState.debug, rich_tracebacks=CLIState.debug)
        handler.setFormatter(logging.Formatter("%(message)s", datefmt="%H:%M:%S"))
        handler._specwire_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def parse_when(value: str | None, option: str) -> datetime | None:
    """``2025-03-01`` or ``2025-03-01T14:30`` (UTC unless an offset is given)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigurationError(f"{option} {value!r} is not a date (YYYY-MM-DD) or ISO date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def run_until_interrupted(factory: Callable[[], Awaitable[T]]) -> T | None:
    """Run a coroutine until it ends or the user presses Ctrl+C (then cancel it and return ``None``)."""
    try:
        return asyncio.run(factory())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        err_console.print("[dim]stopped (Ctrl+C)[/dim]")
        return None


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[bold red]error:[/bold red] {message}", soft_wrap=True)
    return typer.Exit(code)


@contextlib.contextmanager
def closing_client(client: Any) -> Any:
    try:
        yield client
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
