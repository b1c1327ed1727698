"""Credentials as ``httpx.Auth`` flows, so every request — generated or hand-written — carries them.

The generated ``AuthenticatedClient`` only injects its token when it builds its
own httpx client, and we always inject ours; so authentication lives here, in
httpx's auth layer, which runs above the retry transport: a 401 replay is a
fresh request with its own retry budget, and a retried request keeps the
credentials it was sent with.

Every key or token passing through is registered with
:func:`~specwire.core.redact.register_secret`, and no ``repr`` shows it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Protocol, runtime_checkable

import httpx

from specwire.core.errors import ConfigurationError
from specwire.core.redact import MASK, Secret, register_secret

__all__ = ["APIKeyAuth", "APIKeyQueryAuth", "BearerTokenAuth", "TokenProvider"]


def _secret_arg(value: object, what: str) -> Secret:
    if isinstance(value, Secret):
        value = value.get()
    if not isinstance(value, str) or not value.strip():
        shown = "an empty string" if isinstance(value, str) else type(value).__name__
        raise ConfigurationError(f"{what} must be a non-empty string, got {shown}")
    if any(c in value for c in "\r\n"):
        raise ConfigurationError(f"{what} must not contain line breaks")
    return Secret(value)


def _name_arg(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or any(c in value for c in " :\r\n"):
        raise ConfigurationError(f"{what} must be a header/parameter name, got {value!r}")
    return value


class APIKeyAuth(httpx.Auth):
    """Send an API key in a header (``x-api-key: <key>`` by default; ``prefix`` e.g. ``"Bearer "``).

    ``overwrite=False`` keeps a value the request already carries (for SDKs whose
    documented behaviour is "a header set by the caller wins").
    """

    def __init__(
        self, key: str | Secret, header: str = "x-api-key", prefix: str = "", *, overwrite: bool = True
    ) -> None:
        self._key = _secret_arg(key, "API key")
        self.header = _name_arg(header, "header")
        self.prefix = prefix
        self.overwrite = overwrite

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.overwrite or self.header not in request.headers:
            request.headers[self.header] = f"{self.prefix}{self._key.get()}"
        yield request

    def __repr__(self) -> str:
        return f"APIKeyAuth(header={self.header!r}, prefix={self.prefix!r}, key='{MASK}')"


class APIKeyQueryAuth(httpx.Auth):
    """Send an API key as a query parameter (``?key=<key>`` by default), replacing any existing one."""

    def __init__(self, key: str | Secret, param: str = "key") -> None:
        self._key = _secret_arg(key, "API key")
        self.param = _name_arg(param, "param")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_set_param(self.param, self._key.get())
        yield request

    def __repr__(self) -> str:
        return f"APIKeyQueryAuth(param={self.param!r}, key='{MASK}')"


@runtime_checkable
class TokenProvider(Protocol):
    """Source of bearer tokens, shared by every caller of one session.

    ``renew(stale)`` receives the token that was just rejected: when many
    requests fail with the same stale token at once, the provider renews once
    and hands the new token to all of them (compare ``stale`` with its current
    token). :class:`~specwire.core.tokens.CachedTokenProvider` implements this.
    """

    def get_token(self) -> str: ...

    async def aget_token(self) -> str: ...

    def renew(self, stale_token: str | None) -> str: ...

    async def arenew(self, stale_token: str | None) -> str: ...


class BearerTokenAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` from a :class:`TokenProvider`; on a 401 renew once and replay once.

    A second 401 is returned to the client, which raises
    :class:`~specwire.core.errors.AuthenticationError` — no loop of renewals.
    The request body is buffered first (``requires_request_body``) so the
    replay can send it again.
    """

    requires_request_body = True

    def __init__(
        self, provider: TokenProvider, *, header: str = "Authorization", prefix: str = "Bearer "
    ) -> None:
        if not isinstance(provider, TokenProvider):
            raise ConfigurationError(
                f"provider must implement get_token/aget_token/renew/arenew, got {type(provider).__name__}"
            )
        self.provider = provider
        self.header = _name_arg(header, "header")
        self.prefix = prefix

    def _apply(self, request: httpx.Request, token: str) -> None:
        if not isinstance(token, str) or not token:
            raise ConfigurationError(f"token provider {type(self.provider).__name__} returned no token")
        register_secret(token)
        request.headers[self.header] = f"{self.prefix}{token}"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.provider.get_token()
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            self._apply(request, self.provider.renew(token))
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.provider.aget_token()
        self._apply(request, token)
        response = yield request
        if response.status_code == 401:
            self._apply(request, await self.provider.arenew(token))
            yield request

    def __repr__(self) -> str:
        return f"BearerTokenAuth(provider={type(self.provider).__name__}, header={self.header!r})"
