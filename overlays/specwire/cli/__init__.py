"""The ``specwire`` command line: one typer app, one command group per provider."""
