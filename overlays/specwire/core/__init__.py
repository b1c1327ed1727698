"""The HTTP core every provider builds on: errors, redaction, logging, retries, rate limits, auth.

Policies live in the httpx layer (auth flows, event hooks, a retrying
transport), so the generated clients get them without being edited: a
facade builds its client with :func:`build_client` / :func:`build_async_client`
and injects it with ``gen_client.set_httpx_client(...)``::

    family = ErrorFamily.derive(MyProviderError, prefix="MyProvider")
    cfg = HTTPConfig(
        "https://api.example.com",
        auth=APIKeyAuth(key),                      # or BearerTokenAuth(CachedTokenProvider(login))
        rate_limiter=RateLimiter([RateLimit(200, 60.0)]),
        retry_policy=RetryPolicy(is_idempotent=lambda req: req.url.path.endswith("/search")),
        error_family=family,
    )
    gen_client.set_httpx_client(build_client(cfg))
    with request_options(timeout=5, max_retries=0):
        ...                                        # per-call overrides

Modules: ``errors`` (hierarchy, families), ``redact`` (secrets out of logs
and messages), ``logging`` (request/response hooks, ``SPECWIRE_LOG``),
``options`` (per-call overrides), ``retry`` / ``retry_after`` (retrying
transport), ``ratelimit``, ``auth`` / ``tokens`` (credentials, single-flight
token renewal), ``http`` (assembling the client).
"""

from specwire.core.auth import APIKeyAuth, APIKeyQueryAuth, BearerTokenAuth, TokenProvider
from specwire.core.errors import (
    CORE_FAMILY,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ErrorFamily,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SpecwireError,
    StreamError,
    StreamParseError,
    UnprocessableEntityError,
    error_for_transport_exception,
    extract_error_message,
    status_error_class,
)
from specwire.core.http import (
    USER_AGENT,
    AsyncSpecwireClient,
    HTTPConfig,
    SpecwireClient,
    build_async_client,
    build_client,
    shared_ssl_context,
)
from specwire.core.logging import setup_logging_from_env
from specwire.core.options import RequestOptions, current_options, request_options
from specwire.core.ratelimit import RateLimit, RateLimiter
from specwire.core.redact import (
    Secret,
    SecretFilter,
    install_log_scrubbing,
    redact_body,
    redact_headers,
    redact_json_body,
    redact_text,
    redact_url,
    register_secret,
)
from specwire.core.retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from specwire.core.retry_after import parse_retry_after
from specwire.core.tokens import CachedTokenProvider, TokenRenewalCancelled

install_log_scrubbing()
setup_logging_from_env()

__all__ = [
    "CORE_FAMILY",
    "USER_AGENT",
    "APIConnectionError",
    "APIError",
    "APIKeyAuth",
    "APIKeyQueryAuth",
    "APIStatusError",
    "APITimeoutError",
    "AsyncRetryTransport",
    "AsyncSpecwireClient",
    "AuthenticationError",
    "BadRequestError",
    "BearerTokenAuth",
    "CachedTokenProvider",
    "ConfigurationError",
    "ConflictError",
    "ErrorFamily",
    "HTTPConfig",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RateLimiter",
    "RequestOptions",
    "RetryPolicy",
    "RetryTransport",
    "Secret",
    "SecretFilter",
    "ServerError",
    "SpecwireClient",
    "SpecwireError",
    "StreamError",
    "StreamParseError",
    "TokenProvider",
    "TokenRenewalCancelled",
    "UnprocessableEntityError",
    "build_async_client",
    "build_client",
    "shared_ssl_context",
    "current_options",
    "error_for_transport_exception",
    "extract_error_message",
    "install_log_scrubbing",
    "parse_retry_after",
    "redact_body",
    "redact_headers",
    "redact_json_body",
    "redact_text",
    "redact_url",
    "register_secret",
    "request_options",
    "setup_logging_from_env",
    "status_error_class",
]
