"""``ProjectX`` and ``AsyncProjectX``: the ProjectX Gateway facades.

::

    px = ProjectX(api_key="...", username="trader1")          # TopstepX
    px = ProjectX.from_env()                                  # .env with the seed's variable names
    px = ProjectX(api_key=..., username=..., firm="alphaticks")
    accounts = px.accounts.search(only_active=True)
    order = px.orders.place(accounts[0].id, "CON.F.US.MNQ.U26", "market", "BUY", 1)

Both facades take the same arguments and expose the same resources
(``accounts``, ``contracts``, ``history``, ``orders``, ``positions``,
``trades``, ``status``) and the token session as ``session``.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any

from specwire.projectx._base import ProjectXBase
from specwire.projectx.async_resources import (
    AsyncAccounts,
    AsyncContracts,
    AsyncHistory,
    AsyncOrders,
    AsyncPositions,
    AsyncStatus,
    AsyncTrades,
)
from specwire.projectx.config import ProjectXConfig
from specwire.projectx.resources import Accounts, Contracts, History, Orders, Positions, Status, Trades

__all__ = ["AsyncProjectX", "ProjectX"]


class ProjectX(ProjectXBase):
    """Synchronous ProjectX Gateway client (thread-safe: one session, one limiter, one pool).

    Arguments: ``api_key`` and ``username`` (or ``PROJECTX_API_KEY`` /
    ``PROJECTX_USERNAME``); ``firm`` (``"topstepx"`` default, or any firm of
    :data:`specwire.projectx.hosts.FIRMS`); ``api_url`` / ``market_hub_url`` /
    ``user_hub_url`` overrides; ``token`` to start from an existing token;
    ``config`` (a :class:`ProjectXConfig`); ``transport`` / ``http_client`` to
    inject HTTP plumbing (tests); ``timeout``, ``max_retries`` (reads only),
    ``rate_limits`` / ``rate_limiter``, ``renew_margin`` (seconds before JWT
    expiry), ``reconcile_attempts`` / ``reconcile_delay`` (ambiguous orders).
    Missing credentials raise :class:`ConfigurationError` here, before any request.
    """

    def __init__(self, api_key: str | None = None, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(api_key, username, **kwargs)
        self.accounts = Accounts(self)
        self.contracts = Contracts(self)
        self.history = History(self)
        self.orders = Orders(self)
        self.positions = Positions(self)
        self.trades = Trades(self)
        self.status = Status(self)

    @classmethod
    def from_env(cls, env_file: str | os.PathLike[str] | None = ".env", **kwargs: Any) -> ProjectX:
        """Credentials and hosts from the environment and ``env_file`` (the seed's variable names)."""
        config_keys = {"firm", "api_url", "market_hub_url", "user_hub_url", "timeout", "renew_margin"}
        settings = {
            k: kwargs.pop(k) for k in list(kwargs) if k in config_keys or k in ("api_key", "username")
        }
        return cls(config=ProjectXConfig.from_env(env_file, **settings), **kwargs)

    def authenticate(self) -> str:
        """Log in now (otherwise the first request does) and return the token."""
        return self.session.get_token()

    def close(self) -> None:
        """Close the HTTP connections this client opened."""
        self._stack.close()

    def __enter__(self) -> ProjectX:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncProjectX(ProjectXBase):
    """Asyncio ProjectX Gateway client: :class:`ProjectX`'s arguments, resources and methods, awaited."""

    def __init__(self, api_key: str | None = None, username: str | None = None, **kwargs: Any) -> None:
        super().__init__(api_key, username, **kwargs)
        self.accounts = AsyncAccounts(self)
        self.contracts = AsyncContracts(self)
        self.history = AsyncHistory(self)
        self.orders = AsyncOrders(self)
        self.positions = AsyncPositions(self)
        self.trades = AsyncTrades(self)
        self.status = AsyncStatus(self)

    @classmethod
    def from_env(cls, env_file: str | os.PathLike[str] | None = ".env", **kwargs: Any) -> AsyncProjectX:
        """Credentials and hosts from the environment and ``env_file`` (the seed's variable names)."""
        config_keys = {"firm", "api_url", "market_hub_url", "user_hub_url", "timeout", "renew_margin"}
        settings = {
            k: kwargs.pop(k) for k in list(kwargs) if k in config_keys or k in ("api_key", "username")
        }
        return cls(config=ProjectXConfig.from_env(env_file, **settings), **kwargs)

    async def authenticate(self) -> str:
        """Log in now (otherwise the first request does) and return the token."""
        return await self.session.aget_token()

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened."""
        await self._stack.aclose()

    async def __aenter__(self) -> AsyncProjectX:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
