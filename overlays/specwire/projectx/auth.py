"""The ProjectX session token: login, renewal before expiry and on 401, listeners.

One :class:`TokenSession` serves every REST call and every hub connection of a
client. Its rules, from reference §1.3/§1.4:

* log in with ``Auth/loginKey`` (user name + API key) or ``Auth/loginApp``;
* read the expiry from the JWT ``exp`` claim (24 h assumed when absent) and
  renew ``renew_margin`` seconds before it, and on any 401;
* renew with ``Auth/validate`` (bearer = the current token, answer in
  ``newToken``) and fall back to a fresh login when validate fails — the docs
  disagree on whether an expired token can be validated;
* renew once for all concurrent callers, threads and tasks alike (the
  single-flight logic is :class:`~specwire.core.tokens.CachedTokenProvider`'s);
* tell every listener (the SignalR streams) about each new token.

:func:`authenticate` is the seed library's entry point: ``(token, acquired_at)``.
:class:`NoAuthClient` / :class:`AsyncNoAuthClient` switch the bearer auth off for
the operations the spec declares public (``security: []``, e.g. ``Status/ping``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import inspect
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from specwire_gen.projectx.models.login_api_key_request import LoginApiKeyRequest
from specwire_gen.projectx.models.login_app_request import LoginAppRequest
from specwire_gen.projectx.models.login_response import LoginResponse
from specwire_gen.projectx.models.logout_response import LogoutResponse
from specwire_gen.projectx.models.validate_response import ValidateResponse

from specwire.core.errors import APIError, ConfigurationError
from specwire.core.options import request_options
from specwire.core.redact import MASK, Secret
from specwire.core.tokens import CachedTokenProvider
from specwire.projectx.config import DEFAULT_RENEW_MARGIN, ProjectXConfig
from specwire.projectx.errors import error_for_envelope
from specwire.projectx.hosts import HostConfig

__all__ = [
    "DEFAULT_RENEW_MARGIN",
    "DEFAULT_TOKEN_LIFETIME",
    "TokenListener",
    "TokenSession",
    "authenticate",
    "jwt_expiry",
]

logger = logging.getLogger("specwire.projectx.auth")

#: Lifetime assumed when a token carries no readable ``exp`` (DOCS validate-session: 24 h).
DEFAULT_TOKEN_LIFETIME = 24 * 3600.0

TokenListener = Callable[[str], Any]

#: A no-op auth flow: the ``Auth/*`` calls must not go through the session's own bearer auth.
_NO_AUTH = httpx.Auth()

LOGIN_KEY = "/api/Auth/loginKey"
LOGIN_APP = "/api/Auth/loginApp"
VALIDATE = "/api/Auth/validate"
LOGOUT = "/api/Auth/logout"


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim (epoch seconds) of a JWT, or ``None`` if the token is not a readable JWT.

    The signature is not checked: the client only needs to know when to renew.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return float(exp)
    return None


class TokenSession(CachedTokenProvider):
    """Bearer-token source for a ProjectX client (a :class:`~specwire.core.auth.TokenProvider`).

    ``client`` / ``async_client`` are factories for the httpx clients used for
    the ``Auth/*`` calls (no bearer auth on them: login has no token yet, and
    validate sends the stale token itself). They share the facade's transport,
    rate limiter and retry policy.
    """

    def __init__(
        self,
        config: ProjectXConfig,
        *,
        client: Callable[[], httpx.Client],
        async_client: Callable[[], httpx.AsyncClient],
        renew_margin: float | None = None,
        wall_clock: Callable[[], float] = time.time,
        initial_token: str | None = None,
    ) -> None:
        self.config = config
        margin = config.renew_margin if renew_margin is None else renew_margin
        if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 0:
            raise ConfigurationError(f"renew_margin must be a number of seconds >= 0, got {margin!r}")
        self.renew_margin = float(margin)
        self._client_factory = client
        self._async_client_factory = async_client
        self.clock = wall_clock
        self._listeners: list[TokenListener] = []
        self._listeners_lock = threading.Lock()
        self._listener_tasks: set[asyncio.Task[Any]] = set()
        self._deadline: tuple[str, float, float] | None = None  # (token, refresh_at, expires_at)
        self.acquired_at: dt.datetime | None = None
        self.logins = 0
        self.validations = 0
        super().__init__(self._fetch_sync, self._fetch_async)
        if initial_token:
            self.set_token(initial_token)

    # -- configuration views -------------------------------------------------------------------
    @property
    def hosts(self) -> HostConfig:
        return self.config.hosts

    @property
    def hub_urls(self) -> dict[str, str]:
        """``{"market": url, "user": url}`` of this session's firm."""
        return self.hosts.hub_urls

    @property
    def market_hub_url(self) -> str:
        return self.hosts.market_hub_url

    @property
    def user_hub_url(self) -> str:
        return self.hosts.user_hub_url

    def __repr__(self) -> str:
        return (
            f"TokenSession(user={self.config.username!r}, api={self.hosts.api_url!r}, "
            f"token={MASK if self.token else None!r})"
        )

    # -- expiry ---------------------------------------------------------------------------------
    def _times(self, token: str) -> tuple[float, float]:
        cached = self._deadline
        if cached is not None and cached[0] == token:
            return cached[1], cached[2]
        now = self.clock()
        expires = jwt_expiry(token) or now + DEFAULT_TOKEN_LIFETIME
        # A token that lives less than twice the margin is renewed half-way instead of at once.
        refresh = expires - min(self.renew_margin, max(0.0, expires - now) / 2)
        self._deadline = (token, refresh, expires)
        return refresh, expires

    @property
    def expires_at(self) -> dt.datetime | None:
        """When the current token expires (UTC), ``None`` without a token."""
        token = self.token
        if token is None:
            return None
        return dt.datetime.fromtimestamp(self._times(token)[1], tz=dt.UTC)

    def _fresh(self) -> bool:
        token = self._token
        return token is not None and self.clock() < self._times(token)[0]

    def _finish(self, future: Any, token: str | None, error: BaseException | None) -> None:
        if token is not None:
            self.acquired_at = dt.datetime.now(dt.UTC)
            self._times(token)
        super()._finish(future, token, error)
        if token is not None:
            self._notify(token)

    def set_token(self, token: str, acquired_at: dt.datetime | None = None) -> None:
        """Install a token obtained elsewhere (the seed's ``APIClient(initial_token=..., token_acquired_at=...)``).

        ``acquired_at`` dates a token without a readable ``exp``: it is then
        assumed to live 24 h from that moment rather than from now.
        """
        if acquired_at is not None and jwt_expiry(token) is None:
            expires = acquired_at.timestamp() + DEFAULT_TOKEN_LIFETIME
            self._deadline = (token, expires - self.renew_margin, expires)
        super().set_token(token)
        self.acquired_at = acquired_at or dt.datetime.now(dt.UTC)
        self._notify(token)

    # -- listeners ------------------------------------------------------------------------------
    def add_token_listener(self, listener: TokenListener) -> None:
        """Call ``listener(new_token)`` after every renewal (coroutine functions are scheduled)."""
        if not callable(listener):
            raise ConfigurationError(f"token listener must be callable, got {listener!r}")
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_token_listener(self, listener: TokenListener) -> None:
        with self._listeners_lock:
            try:
                self._listeners.remove(listener)
            except ValueError:
                pass

    def _notify(self, token: str) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                result = listener(token)
                if inspect.isawaitable(result):
                    self._schedule(listener, result)
            except Exception:
                logger.exception("ProjectX token listener %r failed", listener)

    def _schedule(self, listener: TokenListener, awaitable: Any) -> None:
        """Run a coroutine listener on the loop that renewed the token.

        A renewal done by a thread without an event loop cannot know which loop
        the listener belongs to; such listeners must be plain callables (hand
        over with ``loop.call_soon_threadsafe``), so the coroutine is closed
        and a warning logged instead of running it on a wrong loop.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            logger.warning(
                "ProjectX token listener %r is async but the token was renewed outside a loop", listener
            )
            return
        task = loop.create_task(awaitable)
        self._listener_tasks.add(task)
        task.add_done_callback(self._listener_tasks.discard)

    # -- wire calls -----------------------------------------------------------------------------
    def _login_request(self) -> tuple[str, dict[str, Any]]:
        cfg = self.config
        cfg.check_credentials()
        if cfg.uses_app_login:
            assert cfg.username and cfg.app_password and cfg.app_id and cfg.app_verify_key
            body = LoginAppRequest(
                user_name=cfg.username,
                password=cfg.app_password.get(),
                device_id=cfg.app_device_id or "specwire",
                app_id=cfg.app_id,
                verify_key=cfg.app_verify_key.get(),
            )
            return LOGIN_APP, body.to_dict()
        assert cfg.username and cfg.api_key
        return LOGIN_KEY, LoginApiKeyRequest(user_name=cfg.username, api_key=cfg.api_key.get()).to_dict()

    @staticmethod
    def _login_token(path: str, response: httpx.Response) -> str:
        parsed = LoginResponse.from_dict(response.json())
        if not parsed.success or not isinstance(parsed.token, str) or not parsed.token:
            raise error_for_envelope(
                path[len("/api/") :],
                int(parsed.error_code),
                _text(parsed.error_message),
                request=response.request,
            )
        Secret(parsed.token)  # registers the token for redaction
        return parsed.token

    @staticmethod
    def _validated_token(response: httpx.Response) -> str:
        parsed = ValidateResponse.from_dict(response.json())
        if not parsed.success or not isinstance(parsed.new_token, str) or not parsed.new_token:
            raise error_for_envelope(
                "Auth/validate", int(parsed.error_code), _text(parsed.error_message), request=response.request
            )
        Secret(parsed.new_token)
        return parsed.new_token

    def login(self) -> str:
        """Log in now (no single-flight; :meth:`renew` is what concurrent callers use)."""
        path, body = self._login_request()
        with request_options(idempotent=True):
            response = self._client_factory().post(path, json=body, auth=_NO_AUTH)
        self.logins += 1
        return self._login_token(path, response)

    async def alogin(self) -> str:
        path, body = self._login_request()
        with request_options(idempotent=True):
            response = await self._async_client_factory().post(path, json=body, auth=_NO_AUTH)
        self.logins += 1
        return self._login_token(path, response)

    def validate(self, token: str) -> str:
        """``Auth/validate`` with ``token``; returns the new token or raises."""
        with request_options(idempotent=True):
            response = self._client_factory().post(
                VALIDATE, headers={"Authorization": f"Bearer {token}"}, auth=_NO_AUTH
            )
        self.validations += 1
        return self._validated_token(response)

    async def avalidate(self, token: str) -> str:
        with request_options(idempotent=True):
            response = await self._async_client_factory().post(
                VALIDATE, headers={"Authorization": f"Bearer {token}"}, auth=_NO_AUTH
            )
        self.validations += 1
        return self._validated_token(response)

    def _fetch_sync(self, stale: str | None) -> str:
        if stale:
            try:
                return self.validate(stale)
            except APIError as exc:
                logger.info("ProjectX token validate failed (%s); logging in again", type(exc).__name__)
        return self.login()

    async def _fetch_async(self, stale: str | None) -> str:
        if stale:
            try:
                return await self.avalidate(stale)
            except APIError as exc:
                logger.info("ProjectX token validate failed (%s); logging in again", type(exc).__name__)
        return await self.alogin()

    def logout(self) -> None:
        """``Auth/logout`` for the current token (if any); the session forgets it either way."""
        token = self.token
        self.invalidate()
        if token is None:
            return
        response = self._client_factory().post(
            LOGOUT, headers={"Authorization": f"Bearer {token}"}, auth=_NO_AUTH
        )
        _check_logout(response)

    async def alogout(self) -> None:
        token = self.token
        self.invalidate()
        if token is None:
            return
        response = await self._async_client_factory().post(
            LOGOUT, headers={"Authorization": f"Bearer {token}"}, auth=_NO_AUTH
        )
        _check_logout(response)


def _check_logout(response: httpx.Response) -> None:
    parsed = LogoutResponse.from_dict(response.json())
    if not parsed.success:
        raise error_for_envelope(
            "Auth/logout", int(parsed.error_code), _text(parsed.error_message), request=response.request
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def authenticate(
    username: str | None = None,
    api_key: str | None = None,
    *,
    config: ProjectXConfig | None = None,
    transport: httpx.BaseTransport | None = None,
    env_file: str | None = ".env",
    **settings: Any,
) -> tuple[str, dt.datetime]:
    """Log in once and return ``(token, acquired_at)`` — the seed library's ``authenticate()``.

    Without arguments the credentials come from the environment / ``.env``
    (``API_KEY``, ``USERNAME``, or ``APP_*`` for an authorized application).
    """
    from specwire.core.http import build_client
    from specwire.projectx.transport import http_config

    if config is None:
        config = ProjectXConfig.from_env(env_file, username=username, api_key=api_key, **settings)
    config.check_credentials()
    client = build_client(http_config(config, transport=transport, auth=_NO_AUTH))
    try:
        session = TokenSession(config, client=lambda: client, async_client=_no_async_client)
        token = session.renew(None)
        acquired = session.acquired_at or dt.datetime.now(dt.UTC)
    finally:
        client.close()
    return token, acquired


def _no_async_client() -> httpx.AsyncClient:
    raise RuntimeError("authenticate() is synchronous")


class NoAuthClient:
    """Delegates ``request`` to a client, with its auth flow switched off (for public operations)."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:
        return self._client.request(*args, auth=httpx.Auth(), **kwargs)


class AsyncNoAuthClient:
    """:class:`NoAuthClient` for an ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(self, *args: Any, **kwargs: Any) -> httpx.Response:
        return await self._client.request(*args, auth=httpx.Auth(), **kwargs)
