"""The official SDK's model and enum names, as specwire's generated types.

REST models are the attrs classes generated from ``specs/restless/openapi.yaml``
(snake_case attributes, ``from_dict``/``to_dict`` with the wire's camelCase, unknown
fields kept in ``additional_properties``); stream models are the msgspec Structs
generated from ``asyncapi.yaml``. The REST models load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from specwire_gen.restless.models.http_method import HttpMethod
from specwire_gen.restless.models.payload_mode import PayloadMode
from specwire_gen.restless.models.stream_status import StreamStatus
from specwire_gen.restless.stream_models import (
    StreamErrorDetail,
    StreamEvent,
    StreamEventMeta,
    StreamEventType,
)

from specwire.core.lazy import lazy_exports

if TYPE_CHECKING:
    from specwire_gen.restless.models.base_action_response import BaseActionResponse
    from specwire_gen.restless.models.connection_snippets_response import ConnectionSnippetsResponse
    from specwire_gen.restless.models.credit_usage_charge_type_breakdown import CreditUsageChargeTypeBreakdown
    from specwire_gen.restless.models.daily_credit_usage import DailyCreditUsage
    from specwire_gen.restless.models.direct_session_response import DirectSessionResponse
    from specwire_gen.restless.models.direct_setup_response import DirectSetupResponse
    from specwire_gen.restless.models.pagination_info import PaginationInfo
    from specwire_gen.restless.models.polling_strategy import PollingStrategy
    from specwire_gen.restless.models.runtime_urls import RuntimeUrls
    from specwire_gen.restless.models.snippet_payload import SnippetPayload
    from specwire_gen.restless.models.snippet_set import SnippetSet
    from specwire_gen.restless.models.stream import Stream
    from specwire_gen.restless.models.stream_credit_usage_stats import StreamCreditUsageStats
    from specwire_gen.restless.models.streams_response import StreamsResponse

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.restless.models.base_action_response": ("BaseActionResponse",),
            "specwire_gen.restless.models.connection_snippets_response": ("ConnectionSnippetsResponse",),
            "specwire_gen.restless.models.credit_usage_charge_type_breakdown": (
                "CreditUsageChargeTypeBreakdown",
            ),
            "specwire_gen.restless.models.daily_credit_usage": ("DailyCreditUsage",),
            "specwire_gen.restless.models.direct_session_response": ("DirectSessionResponse",),
            "specwire_gen.restless.models.direct_setup_response": ("DirectSetupResponse",),
            "specwire_gen.restless.models.pagination_info": ("PaginationInfo",),
            "specwire_gen.restless.models.polling_strategy": ("PollingStrategy",),
            "specwire_gen.restless.models.runtime_urls": ("RuntimeUrls",),
            "specwire_gen.restless.models.snippet_payload": ("SnippetPayload",),
            "specwire_gen.restless.models.snippet_set": ("SnippetSet",),
            "specwire_gen.restless.models.stream": ("Stream",),
            "specwire_gen.restless.models.stream_credit_usage_stats": ("StreamCreditUsageStats",),
            "specwire_gen.restless.models.streams_response": ("StreamsResponse",),
        },
    )

__all__ = [
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
    "RestlessModel",
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
]


@runtime_checkable
class RestlessModel(Protocol):
    """What every generated REST model offers (the official SDK's ``RestlessModel`` base).

    ``isinstance(stream, RestlessModel)`` holds for all of them; build one from wire
    JSON with ``Model.from_dict(d)``, get the wire JSON back with ``model.to_dict()``.
    """

    def to_dict(self) -> dict[str, object]: ...
