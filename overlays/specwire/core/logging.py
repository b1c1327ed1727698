"""Request/response logging as httpx event hooks, with secrets redacted.

Logger ``specwire.http``: each request at DEBUG (method and redacted URL),
each response at INFO (status and elapsed milliseconds; DEBUG adds redacted
headers). Retries are logged by the retry transport on the same logger.

Set ``SPECWIRE_LOG=debug`` or ``SPECWIRE_LOG=info`` to get a stderr handler
without touching ``logging`` configuration (like openai-python's
``OPENAI_LOG``); otherwise the SDK only emits records and leaves handling to
the application.
"""

from __future__ import annotations

import logging
import os
import sys
import time

import httpx

from specwire.core.redact import SecretFilter, install_log_scrubbing, redact_headers, redact_url

__all__ = [
    "ENV_VAR",
    "alog_request",
    "alog_response",
    "log_request",
    "log_response",
    "setup_logging_from_env",
]

ENV_VAR = "SPECWIRE_LOG"
_START_KEY = "specwire.start"

logger = logging.getLogger("specwire.http")
_env_handler: logging.Handler | None = None


def log_request(request: httpx.Request) -> None:
    """httpx ``request`` event hook: remember the start time, log method and redacted URL."""
    request.extensions[_START_KEY] = time.perf_counter()
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "HTTP request %s %s headers=%s",
            request.method,
            redact_url(request.url),
            redact_headers(request.headers),
        )


def log_response(response: httpx.Response) -> None:
    """httpx ``response`` event hook: log status and elapsed time (headers at DEBUG)."""
    if not logger.isEnabledFor(logging.INFO):
        return
    request = response.request
    started = request.extensions.get(_START_KEY)
    elapsed_ms = (time.perf_counter() - started) * 1000.0 if isinstance(started, float) else float("nan")
    logger.info(
        "HTTP %s %s -> %d %s (%.1f ms)",
        request.method,
        redact_url(request.url),
        response.status_code,
        response.reason_phrase,
        elapsed_ms,
    )
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("HTTP response headers=%s", redact_headers(response.headers))


async def alog_request(request: httpx.Request) -> None:
    """Async twin of :func:`log_request`."""
    log_request(request)


async def alog_response(response: httpx.Response) -> None:
    """Async twin of :func:`log_response`."""
    log_response(response)


def setup_logging_from_env(environ: dict[str, str] | None = None) -> logging.Handler | None:
    """Attach a stderr handler to the ``specwire`` logger when ``SPECWIRE_LOG`` asks for it.

    Returns the handler (or ``None``). Idempotent: calling twice does not add
    a second handler. Unknown values are ignored with a warning on stderr.
    """
    global _env_handler
    install_log_scrubbing()
    env = os.environ if environ is None else environ
    raw = env.get(ENV_VAR, "").strip().lower()
    if not raw:
        return None
    levels = {"debug": logging.DEBUG, "info": logging.INFO}
    if raw not in levels:
        print(f"specwire: ignoring {ENV_VAR}={raw!r} (expected 'debug' or 'info')", file=sys.stderr)
        return None
    root = logging.getLogger("specwire")
    root.setLevel(levels[raw])
    if _env_handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(SecretFilter())
        root.addHandler(handler)
        _env_handler = handler
    _env_handler.setLevel(levels[raw])
    return _env_handler
