"""Session settings from arguments, the environment or a ``.env`` file.

The variable names are the seed library's (``API_KEY``, ``USERNAME``,
``TRADING_ENVIRONMENT``, ``DEFAULT_CONFIG_CONTRACT_ID``,
``DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH``, ``APP_*`` and the ``*_OVERRIDE_ENV``
URLs), so an existing ``.env`` keeps working; ``PROJECTX_*`` spellings are
accepted too and win when both are set. Credentials are held as
:class:`~specwire.core.redact.Secret` so no repr or log line shows them.
Missing credentials raise :class:`ConfigurationError` naming what is missing,
before any request.

``TRADING_ENVIRONMENT`` (``LIVE``/``DEMO``) is accepted and kept, but does not
change hosts: TopstepX has no separate demo host (Practice accounts use the
same endpoints, reference §1.1). The stale demo host of older docs is
``firm="demo"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from specwire.core.errors import ConfigurationError
from specwire.core.redact import Secret
from specwire.projectx.hosts import HostConfig, resolve_hosts

__all__ = ["DEFAULT_RENEW_MARGIN", "ProjectXConfig", "load_env_file"]

#: Renew the token this many seconds before its JWT ``exp`` (peers use 5 to 30 minutes).
DEFAULT_RENEW_MARGIN = 600.0


def _secret(value: Any) -> Secret | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Secret) else Secret(str(value))


def _opt_int(name: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be an integer account id, got {value!r}") from None


@attrs.define(kw_only=True)
class ProjectXConfig:
    """Everything a ProjectX session needs; build with arguments or :meth:`from_env`."""

    username: str | None = None
    api_key: Secret | None = attrs.field(default=None, converter=_secret)
    # Authorized-application login (Auth/loginApp).
    app_password: Secret | None = attrs.field(default=None, converter=_secret)
    app_id: str | None = None
    app_verify_key: Secret | None = attrs.field(default=None, converter=_secret)
    app_device_id: str | None = None
    environment: str = "LIVE"
    firm: str | None = None
    api_url: str | None = None
    market_hub_url: str | None = None
    user_hub_url: str | None = None
    default_contract_id: str | None = None
    default_account_id: int | None = None
    renew_margin: float = DEFAULT_RENEW_MARGIN
    timeout: float = 30.0

    @property
    def hosts(self) -> HostConfig:
        """Hosts for the firm (TopstepX by default) with any URL override applied."""
        return resolve_hosts(
            self.firm,
            api_url=self.api_url,
            market_hub_url=self.market_hub_url,
            user_hub_url=self.user_hub_url,
        )

    @property
    def uses_app_login(self) -> bool:
        return self.api_key is None and any((self.app_password, self.app_id, self.app_verify_key))

    def check_credentials(self) -> None:
        """Raise :class:`ConfigurationError` listing every missing credential."""
        if self.uses_app_login:
            missing = [
                name
                for name, value in (
                    ("username (USERNAME)", self.username),
                    ("app_password (APP_PASSWORD)", self.app_password),
                    ("app_id (APP_ID)", self.app_id),
                    ("app_verify_key (APP_VERIFY_KEY)", self.app_verify_key),
                )
                if not value
            ]
            if missing:
                raise ConfigurationError("missing ProjectX app-login credentials: " + ", ".join(missing))
            return
        missing = [
            name
            for name, value in (("username (USERNAME)", self.username), ("api_key (API_KEY)", self.api_key))
            if not value
        ]
        if missing:
            raise ConfigurationError(
                "missing ProjectX credentials: " + ", ".join(missing) + " (pass them or set them in .env)"
            )

    @classmethod
    def from_env(
        cls,
        env_file: str | os.PathLike[str] | None = ".env",
        *,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> ProjectXConfig:
        """Settings from ``environ`` (default ``os.environ``) over ``env_file``, then ``overrides``.

        A missing ``env_file`` is fine; real environment variables win over the
        file, and keyword ``overrides`` (non-``None``) win over both.
        """
        values: dict[str, str] = {}
        if env_file is not None:
            values.update(load_env_file(env_file))
        values.update(os.environ if environ is None else environ)

        def get(*names: str) -> str | None:
            for name in names:
                value = values.get(name)
                if value not in (None, ""):
                    return value
            return None

        environment = (get("PROJECTX_ENVIRONMENT", "TRADING_ENVIRONMENT") or "LIVE").upper()
        if environment not in ("LIVE", "DEMO"):
            raise ConfigurationError(f"TRADING_ENVIRONMENT must be LIVE or DEMO, got {environment!r}")
        kwargs: dict[str, Any] = {
            "username": get("PROJECTX_USERNAME", "PROJECT_X_USERNAME", "USERNAME"),
            "api_key": get("PROJECTX_API_KEY", "PROJECT_X_API_KEY", "API_KEY"),
            "app_password": get("APP_PASSWORD"),
            "app_id": get("APP_ID"),
            "app_verify_key": get("APP_VERIFY_KEY"),
            "app_device_id": get("APP_DEVICE_ID"),
            "environment": environment,
            "firm": get("PROJECTX_FIRM"),
            "api_url": get("PROJECTX_API_URL", "API_BASE_URL_OVERRIDE_ENV"),
            "market_hub_url": get("PROJECTX_MARKET_HUB_URL", "MARKET_HUB_URL_OVERRIDE_ENV"),
            "user_hub_url": get("PROJECTX_USER_HUB_URL", "USER_HUB_URL_OVERRIDE_ENV"),
            "default_contract_id": get("DEFAULT_CONFIG_CONTRACT_ID"),
            "default_account_id": _opt_int(
                "DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH", get("DEFAULT_CONFIG_ACCOUNT_ID_TO_WATCH")
            ),
        }
        kwargs.update({k: v for k, v in overrides.items() if v is not None})
        config = cls(**kwargs)
        config.hosts  # noqa: B018 - validate firm and URLs now, not at first request
        return config


def load_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """``KEY=value`` pairs of a ``.env`` file (python-dotenv), ``{}`` when the file does not exist."""
    if not Path(path).is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}
