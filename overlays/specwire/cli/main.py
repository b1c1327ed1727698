"""``specwire``: the command line entry point.

Provider groups are registered when their module is present
(``specwire.cli.projectx``, ``specwire.cli.rundown``, ``specwire.cli.sequence``,
``specwire.cli.restless``); each exposes ``app = typer.Typer(...)``. Errors
are printed as one line with a non-zero exit; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback

import typer

from specwire import __version__
from specwire.cli._common import CLIState, err_console
from specwire.core.errors import APIError, SpecwireError

GROUPS: dict[str, tuple[str, str]] = {
    "projectx": (
        "specwire.cli.projectx",
        "ProjectX Gateway (TopstepX): accounts, contracts, history, streams, bot.",
    ),
    "rundown": ("specwire.cli.rundown", "TheRundown v2: sports odds."),
    "sequence": ("specwire.cli.sequence", "Sequence Markets."),
    "restless": ("specwire.cli.restless", "Restless Stream."),
}

app = typer.Typer(
    name="specwire",
    help="specwire: typed clients for real-time market APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"specwire {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """specwire: typed clients for real-time market APIs."""
    CLIState.debug = CLIState.debug or debug


def _register() -> None:
    for name, (module_name, help_text) in GROUPS.items():
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            if sub.info.help:
                app.add_typer(sub, name=name)  # the group's own help text
            else:
                app.add_typer(sub, name=name, help=help_text)


_register()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, APIError | SpecwireError):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else str(exc)
    return f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    """Run the app; returns (and exits with) the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in args:
        CLIState.debug = True
    try:
        result = app(args=args, prog_name="specwire", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:  # usage errors: the parser's own message, exit code 2
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            err_console.print(f"[bold red]error:[/bold red] {exc}")
        code = int(getattr(exc, "exit_code", 2))
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("[dim]interrupted[/dim]")
        code = 130
    except Exception as exc:
        if CLIState.debug:
            traceback.print_exc()
        err_console.print(f"[bold red]error:[/bold red] {_describe(exc)}", soft_wrap=True)
        code = 1
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
