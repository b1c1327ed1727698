"""The generated operation modules and models :mod:`._ops` uses, each loaded on first use.

``import specwire.restless`` must not import every generated endpoint: callers write
``_gen.<name>`` and :func:`specwire.core.lazy.lazy_exports` imports the module the
first time a name is used. Type checkers read the ``TYPE_CHECKING`` imports below, which
must list the same names as the table (``tests/unit/core/test_core_lazy.py`` checks).
"""

# ruff: noqa: F401

from __future__ import annotations

from typing import TYPE_CHECKING

from specwire.core.lazy import lazy_exports

if TYPE_CHECKING:
    from specwire_gen.restless.api.streams import connection_snippets as op_connection_snippets
    from specwire_gen.restless.api.streams import create_stream as op_create_stream
    from specwire_gen.restless.api.streams import credit_usage_stats as op_credit_usage_stats
    from specwire_gen.restless.api.streams import delete_stream as op_delete_stream
    from specwire_gen.restless.api.streams import direct_session as op_direct_session
    from specwire_gen.restless.api.streams import direct_setup as op_direct_setup
    from specwire_gen.restless.api.streams import get_stream as op_get_stream
    from specwire_gen.restless.api.streams import list_streams as op_list_streams
    from specwire_gen.restless.api.streams import start_stream as op_start_stream
    from specwire_gen.restless.api.streams import stop_stream as op_stop_stream
    from specwire_gen.restless.api.streams import update_stream as op_update_stream
    from specwire_gen.restless.api.streams import validate_stream_api_key as op_validate_stream_api_key
    from specwire_gen.restless.models.connection_snippets_request import ConnectionSnippetsRequest
    from specwire_gen.restless.models.direct_session_request import DirectSessionRequest
    from specwire_gen.restless.models.direct_setup_request import DirectSetupRequest
    from specwire_gen.restless.models.stream_create_request import StreamCreateRequest
    from specwire_gen.restless.models.stream_update_request import StreamUpdateRequest
    from specwire_gen.restless.models.validate_api_key_request import ValidateApiKeyRequest

if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is still an error
    __getattr__ = lazy_exports(
        globals(),
        {
            "specwire_gen.restless.api.streams": (
                "connection_snippets as op_connection_snippets",
                "create_stream as op_create_stream",
                "credit_usage_stats as op_credit_usage_stats",
                "delete_stream as op_delete_stream",
                "direct_session as op_direct_session",
                "direct_setup as op_direct_setup",
                "get_stream as op_get_stream",
                "list_streams as op_list_streams",
                "start_stream as op_start_stream",
                "stop_stream as op_stop_stream",
                "update_stream as op_update_stream",
                "validate_stream_api_key as op_validate_stream_api_key",
            ),
            "specwire_gen.restless.models.connection_snippets_request": ("ConnectionSnippetsRequest",),
            "specwire_gen.restless.models.direct_session_request": ("DirectSessionRequest",),
            "specwire_gen.restless.models.direct_setup_request": ("DirectSetupRequest",),
            "specwire_gen.restless.models.stream_create_request": ("StreamCreateRequest",),
            "specwire_gen.restless.models.stream_update_request": ("StreamUpdateRequest",),
            "specwire_gen.restless.models.validate_api_key_request": ("ValidateApiKeyRequest",),
        },
    )
