"""Per-call overrides (timeout, retries, idempotency) without widening every signature.

Generated operations take no ``timeout=``/``max_retries=`` arguments, and the
policies live in the transport, so per-call settings travel in a
:class:`contextvars.ContextVar`: ``with request_options(max_retries=0): ...``
applies to every request made inside the block, in this thread or task (tasks
created inside inherit it; other threads do not see it). Nested blocks merge,
the innermost setting winning.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator

import attrs
import httpx

from specwire.core.errors import ConfigurationError

__all__ = ["RequestOptions", "TimeoutTypes", "current_options", "request_options", "to_httpx_timeout"]

TimeoutTypes = float | int | httpx.Timeout


def _check_timeout(_inst: object, _attr: object, value: TimeoutTypes | None) -> None:
    if value is None or isinstance(value, httpx.Timeout):
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigurationError(
            f"timeout must be a positive number of seconds or httpx.Timeout, got {value!r}"
        )


def _check_retries(_inst: object, _attr: object, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {value!r}")


def _check_key(_inst: object, _attr: object, value: str | None) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n"):
        raise ConfigurationError(f"idempotency_key must be a non-empty single-line string, got {value!r}")


def _check_idempotent(_inst: object, _attr: object, value: bool | None) -> None:
    if value is not None and not isinstance(value, bool):
        raise ConfigurationError(f"idempotent must be True, False or None, got {value!r}")


@attrs.frozen
class RequestOptions:
    """Settings for the requests made in a block; ``None`` means "use the client's setting".

    * ``timeout`` — seconds (or an :class:`httpx.Timeout`) for each attempt.
    * ``max_retries`` — retries after the first attempt (``0`` disables).
    * ``idempotent`` — ``True`` declares the calls safe to repeat (enables retries
      of writes); ``False`` forbids re-sending anything the server may have
      received, even a read (a request whose connection never opened is still
      retried: it cannot have had an effect).
    * ``idempotency_key`` — sent in the client's idempotency header, the same
      value on every attempt, so the server can drop duplicates.
    """

    timeout: TimeoutTypes | None = attrs.field(default=None, validator=_check_timeout)
    max_retries: int | None = attrs.field(default=None, validator=_check_retries)
    idempotent: bool | None = attrs.field(default=None, validator=_check_idempotent)
    idempotency_key: str | None = attrs.field(default=None, validator=_check_key)

    def merged(self, inner: RequestOptions) -> RequestOptions:
        """``self`` overridden by every field ``inner`` sets."""
        changes = {f.name: getattr(inner, f.name) for f in attrs.fields(RequestOptions)}
        return attrs.evolve(self, **{k: v for k, v in changes.items() if v is not None})

    def httpx_timeout(self) -> httpx.Timeout | None:
        return None if self.timeout is None else to_httpx_timeout(self.timeout)


_EMPTY = RequestOptions()
_current: contextvars.ContextVar[RequestOptions] = contextvars.ContextVar(
    "specwire_request_options", default=_EMPTY
)


def to_httpx_timeout(value: TimeoutTypes) -> httpx.Timeout:
    """Validate and convert a float/int/``httpx.Timeout`` to ``httpx.Timeout``."""
    _check_timeout(None, None, value)
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(float(value))


def current_options() -> RequestOptions:
    """The options in force for this thread/task (all ``None`` outside any block)."""
    return _current.get()


@contextlib.contextmanager
def request_options(
    options: RequestOptions | None = None,
    *,
    timeout: TimeoutTypes | None = None,
    max_retries: int | None = None,
    idempotent: bool | None = None,
    idempotency_key: str | None = None,
) -> Iterator[RequestOptions]:
    """Apply per-call options to every request made inside the ``with`` block.

    Values are validated on entry (a bad value raises
    :class:`~specwire.core.errors.ConfigurationError` before anything is sent).
    Yields the effective merged options.
    """
    layer = RequestOptions(
        timeout=timeout, max_retries=max_retries, idempotent=idempotent, idempotency_key=idempotency_key
    )
    if options is not None:
        if not isinstance(options, RequestOptions):
            raise ConfigurationError(f"options must be a RequestOptions, got {type(options).__name__}")
        layer = options.merged(layer)
    effective = _current.get().merged(layer)
    token = _current.set(effective)
    try:
        yield effective
    finally:
        _current.reset(token)
