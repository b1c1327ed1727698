"""Keep secrets out of logs, reprs, exception messages and cassettes.

Two complementary mechanisms, because neither alone is enough:

* **By value** — every API key, password and token the SDK is given is
  registered with :func:`register_secret`; :func:`redact_text` then replaces
  any occurrence (also URL-encoded) with ``***`` wherever the text came from.
* **By name** — query parameters, headers and JSON keys that are named like
  credentials (``apiKey``, ``token``, ``Authorization``, ...) are masked even
  when the value was never registered (a token returned by a login call, say).

A record factory scrubs every log record emitted under the ``specwire``,
``httpx``, ``httpcore`` and ``websockets`` loggers (a plain logger filter would miss records
propagated from child loggers such as ``specwire.http``), and
:class:`SecretFilter` is available to attach to your own handlers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "Secret",
    "SecretFilter",
    "install_log_scrubbing",
    "is_sensitive_name",
    "redact_body",
    "redact_headers",
    "redact_json_body",
    "redact_text",
    "redact_url",
    "register_secret",
    "registered_secret_count",
]

MASK = "***"
#: Shorter values are not registered: masking "ab" everywhere would mangle
#: ordinary text while protecting nothing worth protecting.
MIN_SECRET_LENGTH = 4

# Normalised (lower case, no "-"/"_") names treated as credentials.
_SENSITIVE_EXACT = frozenset(
    {
        "authorization",
        "proxyauthorization",
        "cookie",
        "setcookie",
        "key",
        "apikey",
        "xapikey",
        "password",
        "passwd",
        "secret",
        "token",
        "signature",
        "sig",
        "jwt",
        "session",
        "sessiontoken",
    }
)
_SENSITIVE_SUFFIXES = ("apikey", "password", "secret", "token", "signature", "credentials")

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _normalise(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def is_sensitive_name(name: str) -> bool:
    """True when a header, query parameter or JSON key is named like a credential."""
    norm = _normalise(name)
    return norm in _SENSITIVE_EXACT or norm.endswith(_SENSITIVE_SUFFIXES)


def register_secret(value: object) -> None:
    """Remember ``value`` so it is masked wherever it later appears.

    Accepts ``str``, ``bytes`` or :class:`Secret`; ``None``, empty and very
    short values are ignored. Thread-safe; registering twice is harmless.
    """
    if isinstance(value, Secret):
        value = value.get()
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            return
    if not isinstance(value, str) or len(value) < MIN_SECRET_LENGTH:
        return
    global _pattern
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        forms: set[str] = set()
        for secret in _secrets:
            forms.update({secret, quote(secret, safe=""), quote_plus(secret, safe="")})
        # Longest first so a secret containing another is masked whole.
        alternatives = sorted(forms, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(a) for a in alternatives))


def registered_secret_count() -> int:
    """How many distinct secrets are registered (for diagnostics and tests)."""
    with _lock:
        return len(_secrets)


def redact_text(text: str) -> str:
    """Replace every registered secret (raw or URL-encoded) in ``text`` with ``***``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def redact_url(url: str | httpx.URL) -> str:
    """Mask credential-named query parameters, userinfo passwords and registered secrets."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError, ValueError):
        return redact_text(str(url))
    if parsed.params:
        masked = [(k, MASK if is_sensitive_name(k) else v) for k, v in parsed.params.multi_items()]
        parsed = parsed.copy_with(params=masked)
    if parsed.password:
        parsed = parsed.copy_with(password=MASK)
    # copy_with percent-encodes the mask; show it plainly.
    return redact_text(str(parsed).replace(quote(MASK, safe=""), MASK))


def redact_headers(headers: Mapping[str, str] | httpx.Headers | Iterable[tuple[str, str]]) -> dict[str, str]:
    """A plain dict copy of ``headers`` with credential headers masked."""
    items: Iterable[tuple[str, str]]
    if isinstance(headers, httpx.Headers):
        items = headers.multi_items()
    elif isinstance(headers, Mapping):
        items = headers.items()
    else:
        items = headers
    out: dict[str, str] = {}
    for name, value in items:
        out[name] = MASK if is_sensitive_name(name) else redact_text(value)
    return out


def redact_json_body(obj: Any) -> Any:
    """Deep copy of a decoded JSON value with credential-named keys masked at any depth."""
    if isinstance(obj, Mapping):
        return {
            k: (
                MASK if isinstance(k, str) and is_sensitive_name(k) and v is not None else redact_json_body(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list | tuple):
        return [redact_json_body(v) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


def redact_body(content: bytes | str | None) -> Any:
    """Decode a request/response body for display: JSON gets :func:`redact_json_body`, text :func:`redact_text`."""
    import json

    if content is None:
        return None
    if isinstance(content, bytes):
        try:
            text = content.decode()
        except UnicodeDecodeError:
            return f"<{len(content)} bytes>"
    else:
        text = content
    try:
        return redact_json_body(json.loads(text))
    except ValueError:
        return redact_text(text)


class Secret:
    """A credential holder whose ``str``/``repr``/format never show the value.

    Deliberately *not* a ``str`` subclass: ``f"{s}"`` on a ``str`` subclass
    would bypass ``__str__`` and print the raw value. Call :meth:`get` where the
    real value is needed. Creating one registers the value for redaction.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if isinstance(value, Secret):
            value = value.get()
        if not isinstance(value, str):
            raise TypeError(f"Secret expects a str, got {type(value).__name__}")
        self._value = value
        register_secret(value)

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("Secret values are not picklable")


_exc_formatter = logging.Formatter()


def _scrub_record(record: logging.LogRecord) -> None:
    if _pattern is None:
        return
    try:
        message = record.getMessage()
    except Exception:
        return
    record.msg = redact_text(message)
    record.args = None
    # Handlers format tracebacks later from exc_info; pre-format (scrubbed) so they reuse exc_text.
    if record.exc_info and not record.exc_text:
        record.exc_text = redact_text(_exc_formatter.formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)


class SecretFilter(logging.Filter):
    """Logging filter that masks registered secrets in a record's formatted message.

    Attach it to handlers that receive records from outside the loggers that
    :func:`install_log_scrubbing` covers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _scrub_record(record)
        return True


# ``websockets`` logs every handshake request line (query string included) and header at DEBUG.
_SCRUBBED_LOGGERS = ("specwire", "httpx", "httpcore", "websockets")
_installed = False
_install_lock = threading.Lock()


def install_log_scrubbing() -> None:
    """Scrub secrets from every record created under the specwire/httpx/httpcore/websockets loggers.

    Wraps the current log-record factory (chaining to it, so other factories
    keep working); idempotent. Also installs :class:`SecretFilter` on the
    ``specwire`` logger itself. Called when :mod:`specwire.core` is imported.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            name = record.name
            if any(name == root or name.startswith(root + ".") for root in _SCRUBBED_LOGGERS):
                _scrub_record(record)
            return record

        logging.setLogRecordFactory(factory)
        logging.getLogger("specwire").addFilter(SecretFilter())
        _installed = True
