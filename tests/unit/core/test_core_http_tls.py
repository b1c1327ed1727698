"""Every client built by the core shares one verifying TLS context (building one costs tens of ms)."""

from __future__ import annotations

import ssl

from specwire.core import HTTPConfig, build_async_client, build_client, shared_ssl_context


def _inner_verify_context(client: object) -> ssl.SSLContext:
    retry_transport = client._transport  # type: ignore[attr-defined]
    pool = retry_transport.inner._pool  # httpx.HTTPTransport -> httpcore pool
    return pool._ssl_context


def test_sync_and_async_clients_share_one_verifying_context() -> None:
    a = build_client(HTTPConfig("https://a.example"))
    b = build_client(HTTPConfig("https://b.example"))
    c = build_async_client(HTTPConfig("https://c.example"))
    ctx = shared_ssl_context()
    assert (
        _inner_verify_context(a) is ctx
        and _inner_verify_context(b) is ctx
        and _inner_verify_context(c) is ctx
    )
    assert ctx.verify_mode is ssl.CERT_REQUIRED and ctx.check_hostname
