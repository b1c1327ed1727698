"""One exception hierarchy for every provider, named by what went wrong.

Callers catch by meaning (``except RateLimitError``) whatever the provider;
providers that need their own base class (so ``except RestlessStreamAPIError``
keeps working for code ported from another SDK) derive a *family* once with
:meth:`ErrorFamily.derive`: each derived class inherits from both the provider
base and the core class of the same meaning, so both ``except`` styles catch it.

Everything shown to a human (``str()``, ``repr()``, ``.url``, ``.body``) is
redacted: registered secrets and credential-named query parameters or JSON keys
never appear.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import httpx

from specwire.core.redact import redact_body, redact_json_body, redact_text, redact_url
from specwire.core.retry_after import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ErrorFamily",
    "MessageExtractor",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "SpecwireError",
    "StreamError",
    "StreamParseError",
    "UnprocessableEntityError",
    "error_for_transport_exception",
    "extract_error_message",
    "status_error_class",
]

_E = TypeVar("_E", bound="APIError")

MessageExtractor = Callable[[httpx.Response], str]

_MESSAGE_KEYS = ("message", "errorMessage", "error_message", "detail", "error", "title", "msg")
_MAX_TEXT_MESSAGE = 500


class SpecwireError(Exception):
    """Base of every exception the SDK raises on purpose."""


class ConfigurationError(SpecwireError, ValueError):
    """Bad arguments or settings, detected before anything is sent."""


class StreamError(SpecwireError):
    """A live stream failed in a way the caller must hear about."""


class StreamParseError(StreamError):
    """A stream frame could not be decoded into its model."""


def _message_from_json(data: Any) -> str | None:
    if isinstance(data, str):
        return data or None
    if isinstance(data, dict):
        for key in _MESSAGE_KEYS:
            if key in data and data[key] not in (None, "", [], {}):
                found = _message_from_json(data[key])
                if found:
                    return found
        errors = data.get("errors")
        if errors:
            return json.dumps(errors, default=str)[:_MAX_TEXT_MESSAGE]
    if isinstance(data, list) and data:
        return _message_from_json(data[0])
    return None


def extract_error_message(response: httpx.Response) -> str:
    """Default way to find the human message in an error body.

    JSON objects: the first non-empty of ``message``, ``errorMessage``,
    ``detail`` (RFC 7807), ``error`` (a string or an object holding one of
    these), ``title``; then ``errors``. Otherwise the body text (truncated),
    and for an empty body the HTTP reason phrase. The body must already be read.
    """
    try:
        content = response.content
    except httpx.ResponseNotRead:
        content = b""
    text = ""
    if content:
        try:
            text = content.decode(response.encoding or "utf-8", errors="replace")
        except LookupError:
            text = content.decode("utf-8", errors="replace")
        try:
            found = _message_from_json(json.loads(text))
        except ValueError:
            found = None
        if found:
            return found
    text = text.strip()
    if text:
        return text[:_MAX_TEXT_MESSAGE]
    return response.reason_phrase or httpx.codes.get_reason_phrase(response.status_code) or "error"


class APIError(SpecwireError):
    """A request failed, with or without an HTTP response.

    Attributes: ``message``, ``status_code`` (``None`` without a response),
    ``body`` (decoded JSON or text, redacted), ``method``, ``url`` (redacted),
    ``request`` (the :class:`httpx.Request`, when known). ``request`` and
    ``response`` are httpx's own objects and still carry the credentials that
    were sent: inspect them, do not log them — log the error itself.
    """

    message: str
    status_code: int | None
    body: Any
    method: str | None
    url: str | None
    request: httpx.Request | None
    response: httpx.Response | None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | httpx.URL | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message)
        APIError._populate(
            self, message=message, status_code=status_code, body=body, method=method, url=url, request=request
        )

    @staticmethod
    def _populate(
        self: APIError,
        *,
        message: str,
        status_code: int | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | httpx.URL | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        if request is None and response is not None:
            try:
                request = response.request
            except RuntimeError:
                request = None
        if request is not None:
            method = method or request.method
            url = url if url is not None else request.url
        self.message = redact_text(str(message))
        self.status_code = status_code
        self.body = redact_body(body) if isinstance(body, bytes | str) else _redact_decoded(body)
        self.method = method
        self.url = redact_url(url) if url is not None else None
        self.request = request
        self.response = response
        self.args = (self.message,)

    @classmethod
    def create(
        cls: type[_E],
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | httpx.URL | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> _E:
        """Build an instance without calling ``__init__``.

        This is how :class:`ErrorFamily` constructs derived classes whose
        provider base has its own ``__init__`` signature. After the core
        attributes are set, a ``_specwire_init(self)`` method, if the class
        has one, may add provider-specific attributes.
        """
        self = cls.__new__(cls)
        APIError._populate(
            self,
            message=message,
            status_code=status_code,
            body=body,
            method=method,
            url=url,
            request=request,
            response=response,
        )
        if isinstance(self, RateLimitError):
            self.retry_after = parse_retry_after(response.headers) if response is not None else None
        hook = getattr(self, "_specwire_init", None)
        if callable(hook):
            hook()
        return self

    def _where(self) -> str:
        if self.method and self.url:
            return f" ({self.method} {self.url})"
        if self.url:
            return f" ({self.url})"
        return ""

    def __str__(self) -> str:
        if self.status_code is not None:
            reason = httpx.codes.get_reason_phrase(self.status_code)
            head = f"{self.status_code} {reason}".rstrip()
            return f"{head}: {self.message}{self._where()}"
        return f"{self.message}{self._where()}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, url={self.url!r})"

    def __reduce__(self) -> Any:
        state = {
            "message": self.message,
            "status_code": self.status_code,
            "body": self.body,
            "method": self.method,
            "url": self.url,
        }
        return (_rebuild_error, (type(self), state))


def _rebuild_error(cls: type[APIError], state: dict[str, Any]) -> APIError:
    return cls.create(**state)


def _redact_decoded(body: Any) -> Any:
    return redact_json_body(body) if body is not None else None


class APIStatusError(APIError):
    """The server answered with a non-2xx status; ``response`` is the (read) response."""

    def __init__(self, message: str, *, response: httpx.Response, body: Any = None) -> None:
        SpecwireError.__init__(self, message)
        if body is None:
            try:
                body = response.content
            except httpx.ResponseNotRead:
                body = None
        APIError._populate(
            self, message=message, status_code=response.status_code, body=body, response=response
        )


class BadRequestError(APIStatusError):
    """400: the server rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401: missing, wrong or expired credentials (after one renewal attempt)."""


class PermissionDeniedError(APIStatusError):
    """403: authenticated, but not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: the addressed resource does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: well-formed but semantically invalid request."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` is the server's hint in seconds, if any."""

    retry_after: float | None

    def __init__(self, message: str, *, response: httpx.Response, body: Any = None) -> None:
        super().__init__(message, response=response, body=body)
        self.retry_after = parse_retry_after(response.headers)


class ServerError(APIStatusError):
    """5xx: the server failed; usually worth retrying later."""


class APIConnectionError(APIError):
    """No usable response: connection refused/reset, DNS failure, protocol error."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, write, read or pool)."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}

_CORE_CLASSES: tuple[type[APIError], ...] = (
    APIStatusError,
    BadRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    UnprocessableEntityError,
    RateLimitError,
    ServerError,
    APIConnectionError,
    APITimeoutError,
)


def status_error_class(status: int) -> type[APIStatusError]:
    """The core class for an HTTP status (``APIStatusError`` for unlisted ones)."""
    if status >= 500:
        return ServerError
    return _STATUS_CLASSES.get(status, APIStatusError)


def _read_body(response: httpx.Response) -> bytes | None:
    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


# Aliases: inside ErrorFamily the bare names are its attributes (the family's classes).
_APIStatusError = APIStatusError
_BadRequestError = BadRequestError
_AuthenticationError = AuthenticationError
_PermissionDeniedError = PermissionDeniedError
_NotFoundError = NotFoundError
_ConflictError = ConflictError
_UnprocessableEntityError = UnprocessableEntityError
_RateLimitError = RateLimitError
_ServerError = ServerError
_APIConnectionError = APIConnectionError
_APITimeoutError = APITimeoutError


class ErrorFamily:
    """The core classes, optionally re-derived under a provider's own base class.

    A provider module does, once at import::

        family = ErrorFamily.derive(RestlessStreamAPIError, prefix="Restless")
        RestlessNotFoundError = family.NotFoundError   # subclasses both

    How a provider base must look: any ``Exception`` subclass (it may also
    subclass :class:`APIError`). It comes *first* in each derived class's MRO,
    so its ``__str__`` and methods win; its ``__init__`` is **not** called by
    the family — instances are built by :meth:`APIError.create`, which sets
    ``message``, ``status_code``, ``body``, ``method``, ``url``, ``request``,
    ``response`` and ``args``. A base needing more state defines
    ``_specwire_init(self)``, called right after. Direct construction of the
    base with its own signature keeps working.
    """

    APIStatusError: type[_APIStatusError]
    BadRequestError: type[_BadRequestError]
    AuthenticationError: type[_AuthenticationError]
    PermissionDeniedError: type[_PermissionDeniedError]
    NotFoundError: type[_NotFoundError]
    ConflictError: type[_ConflictError]
    UnprocessableEntityError: type[_UnprocessableEntityError]
    RateLimitError: type[_RateLimitError]
    ServerError: type[_ServerError]
    APIConnectionError: type[_APIConnectionError]
    APITimeoutError: type[_APITimeoutError]

    _CORE_NAMES: ClassVar[tuple[str, ...]] = tuple(c.__name__ for c in _CORE_CLASSES)

    def __init__(
        self,
        classes: dict[str, type[APIError]] | None = None,
        *,
        base: type[BaseException] | None = None,
        message_extractor: MessageExtractor = extract_error_message,
    ) -> None:
        classes = classes or {c.__name__: c for c in _CORE_CLASSES}
        for name in self._CORE_NAMES:
            setattr(self, name, classes[name])
        self.base = base
        self.message_extractor = message_extractor

    @classmethod
    def derive(
        cls,
        provider_base: type[BaseException],
        *,
        prefix: str,
        message_extractor: MessageExtractor = extract_error_message,
        module: str | None = None,
    ) -> ErrorFamily:
        """Create one subclass per core class that also inherits from ``provider_base``.

        Names are ``prefix`` + the core name with a leading ``API`` dropped
        (``RestlessNotFoundError``, ``RestlessConnectionError``). ``module``
        sets ``__module__`` for nicer tracebacks (defaults to the base's).
        """
        if not (isinstance(provider_base, type) and issubclass(provider_base, BaseException)):
            raise ConfigurationError(f"provider_base must be an exception class, got {provider_base!r}")
        if not prefix or not prefix.isidentifier():
            raise ConfigurationError(f"prefix must be a valid identifier, got {prefix!r}")
        derived: dict[str, type[APIError]] = {}
        for core in _CORE_CLASSES:
            short = core.__name__[3:] if core.__name__.startswith("API") else core.__name__
            name = f"{prefix}{short}"
            bases: tuple[type, ...]
            if issubclass(provider_base, core):
                bases = (provider_base,)
            else:
                parent = derived.get(_parent_name(core))
                bases = (provider_base, core) if parent is None else (parent, core)
            new_cls = type(
                name,
                bases,
                {
                    "__module__": module or provider_base.__module__,
                    "__qualname__": name,
                    "__doc__": f"{core.__doc__}\n\nAlso a :class:`{provider_base.__name__}`.",
                },
            )
            derived[core.__name__] = new_cls
        return cls(derived, base=provider_base, message_extractor=message_extractor)

    def classes(self) -> dict[str, type[APIError]]:
        """Every class of the family, by core name."""
        return {name: getattr(self, name) for name in self._CORE_NAMES}

    def status_class(self, status: int) -> type[_APIStatusError]:
        core = status_error_class(status)
        return getattr(self, core.__name__)  # type: ignore[no-any-return]

    def from_response(self, response: httpx.Response, message: str | None = None) -> _APIStatusError:
        """The error for a non-2xx response (its body should already be read)."""
        if message is None:
            message = self.message_extractor(response)
        return self.status_class(response.status_code).create(
            message, status_code=response.status_code, body=_read_body(response), response=response
        )

    def from_status(
        self,
        status: int,
        message: str,
        *,
        body: Any = None,
        method: str | None = None,
        url: str | httpx.URL | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
    ) -> _APIStatusError:
        """The error for ``status`` when you have no (or a 2xx) response, e.g. an envelope failure."""
        return self.status_class(status).create(
            message,
            status_code=status,
            body=body,
            method=method,
            url=url,
            request=request,
            response=response,
        )

    def from_transport_exception(
        self, exc: BaseException, request: httpx.Request | None = None
    ) -> _APIConnectionError:
        """Map an httpx transport failure to this family's connection/timeout error."""
        cls: type[_APIConnectionError] = (
            self.APITimeoutError if isinstance(exc, httpx.TimeoutException) else self.APIConnectionError
        )
        if request is None and isinstance(exc, httpx.RequestError):
            try:
                request = exc.request
            except RuntimeError:
                request = None
        if isinstance(exc, httpx.TimeoutException):
            text = f"request timed out ({type(exc).__name__})"
        else:
            detail = str(exc) or type(exc).__name__
            text = f"connection error: {detail}"
        err = cls.create(text, request=request)
        err.__cause__ = exc
        return err


def _parent_name(core: type[APIError]) -> str:
    parent = core.__mro__[1]
    return parent.__name__


#: The family of plain core classes, used when a client has no provider family.
CORE_FAMILY = ErrorFamily()


def error_for_transport_exception(
    exc: BaseException, request: httpx.Request | None = None
) -> APIConnectionError:
    """``httpx.TimeoutException`` -> :class:`APITimeoutError`, other failures -> :class:`APIConnectionError`.

    The original exception is kept as ``__cause__``.
    """
    return CORE_FAMILY.from_transport_exception(exc, request)
