"""Restless Stream: the official Python SDK's public API, on specwire's generated client and core.

Code written for ``restless_stream`` ports by changing the import::

    from specwire.restless import RestlessStreamClient

REST responses are the generated attrs models (``specwire_gen.restless.models``),
stream events the generated msgspec ``StreamEvent``; both exported here under
the official SDK's names. See the README section "Restless Stream" for what
behaves differently (and why).

Layout (the same module names in every provider): ``auth``, ``transport``,
``errors``, ``models``, ``streams/``, ``client`` and ``async_client``; ``_ops``
builds the REST calls both clients send; ``bodies``, ``urls``, ``enum_checks``
and ``signatures`` are the helpers their names say.
"""

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports
from specwire.restless.async_client import AsyncRestlessStreamClient
from specwire.restless.client import RestlessStreamClient
from specwire.restless.errors import (
    RestlessAuthenticationError,
    RestlessConnectionError,
    RestlessNotFoundError,
    RestlessRateLimitError,
    RestlessServerError,
    RestlessStreamAPIError,
    RestlessStreamError,
    RestlessStreamParseError,
    RestlessTimeoutError,
)
from specwire.restless.models import (
    HttpMethod,
    PayloadMode,
    RestlessModel,
    StreamErrorDetail,
    StreamEvent,
    StreamEventMeta,
    StreamEventType,
    StreamStatus,
)
from specwire.restless.signatures import compute_hmac_signature, verify_hmac_signature
from specwire.restless.streams.events import PARSE_ERROR_CODE, SIGNATURE_MISMATCH_CODE, timestamp_to_unix_ms
from specwire.restless.transport import DEFAULT_API_BASE_URL
from specwire.restless.urls import (
    DEFAULT_STREAM_BASE_URL,
    build_direct_sse_url,
    build_direct_websocket_url,
    build_sse_url,
    build_websocket_url,
    to_websocket_url,
)

if TYPE_CHECKING:  # REST models load on first use
    from specwire.restless.models import (
        BaseActionResponse,
        ConnectionSnippetsResponse,
        CreditUsageChargeTypeBreakdown,
        DailyCreditUsage,
        DirectSessionResponse,
        DirectSetupResponse,
        PaginationInfo,
        PollingStrategy,
        RuntimeUrls,
        SnippetPayload,
        SnippetSet,
        Stream,
        StreamCreditUsageStats,
        StreamsResponse,
    )

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire.restless.models": (
                "BaseActionResponse",
                "ConnectionSnippetsResponse",
                "CreditUsageChargeTypeBreakdown",
                "DailyCreditUsage",
                "DirectSessionResponse",
                "DirectSetupResponse",
                "PaginationInfo",
                "PollingStrategy",
                "RuntimeUrls",
                "SnippetPayload",
                "SnippetSet",
                "Stream",
                "StreamCreditUsageStats",
                "StreamsResponse",
            )
        },
    )

__all__ = [
    "DEFAULT_API_BASE_URL",
    "DEFAULT_STREAM_BASE_URL",
    "PARSE_ERROR_CODE",
    "SIGNATURE_MISMATCH_CODE",
    "AsyncRestlessStreamClient",
    "BaseActionResponse",
    "ConnectionSnippetsResponse",
    "CreditUsageChargeTypeBreakdown",
    "DailyCreditUsage",
    "DirectSessionResponse",
    "DirectSetupResponse",
    "HttpMethod",
    "PaginationInfo",
    "PayloadMode",
    "PollingStrategy",
    "RestlessAuthenticationError",
    "RestlessConnectionError",
    "RestlessModel",
    "RestlessNotFoundError",
    "RestlessRateLimitError",
    "RestlessServerError",
    "RestlessStreamAPIError",
    "RestlessStreamClient",
    "RestlessStreamError",
    "RestlessStreamParseError",
    "RestlessTimeoutError",
    "RuntimeUrls",
    "SnippetPayload",
    "SnippetSet",
    "Stream",
    "StreamCreditUsageStats",
    "StreamErrorDetail",
    "StreamEvent",
    "StreamEventMeta",
    "StreamEventType",
    "StreamStatus",
    "StreamsResponse",
    "build_direct_sse_url",
    "build_direct_websocket_url",
    "build_sse_url",
    "build_websocket_url",
    "compute_hmac_signature",
    "timestamp_to_unix_ms",
    "to_websocket_url",
    "verify_hmac_signature",
]
