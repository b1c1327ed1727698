"""``APIClient``: the seed library's REST client, as a thin layer over :class:`ProjectX`.

Code written for tsxapipy ports with its imports changed: the constructor
takes ``initial_token`` / ``token_acquired_at`` / ``reauth_username`` /
``reauth_api_key``, methods have the seed's names and arguments and return
plain wire-format dicts (``account.get("name")``). Renewal, rate limits,
retries of reads and never-twice order placement come from the facade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import httpx

from specwire.projectx.client import ProjectX
from specwire.projectx.config import ProjectXConfig
from specwire.projectx.errors import InvalidArgumentError

__all__ = ["APIClient"]


def _dicts(models: list[Any]) -> list[dict[str, Any]]:
    return [m.to_dict() for m in models]


def _when(value: Any, arg: str) -> Any:
    """Accept an aware datetime or an ISO-8601 string with an offset (``Z`` or ``+00:00``)."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidArgumentError(f"{arg} is not an ISO-8601 timestamp: {value!r}") from None
    return value


_PLACE_KEYS = {
    "accountId": "account_id",
    "contractId": "contract_id",
    "type": "type",
    "side": "side",
    "size": "size",
    "limitPrice": "limit_price",
    "stopPrice": "stop_price",
    "trailPrice": "trail_price",
    "customTag": "custom_tag",
    "stopLossBracket": "stop_loss_bracket",
    "takeProfitBracket": "take_profit_bracket",
}
_MODIFY_KEYS = {
    "accountId": "account_id",
    "orderId": "order_id",
    "size": "size",
    "limitPrice": "limit_price",
    "stopPrice": "stop_price",
    "trailPrice": "trail_price",
}


def _translate(details: Mapping[str, Any], keys: dict[str, str], what: str) -> dict[str, Any]:
    if not isinstance(details, Mapping):
        raise InvalidArgumentError(
            f"{what} must be a mapping of Gateway fields, got {type(details).__name__}"
        )
    snake = set(keys.values())
    out: dict[str, Any] = {}
    for key, value in details.items():
        name = keys.get(key, key if key in snake else None)
        if name is None:
            raise InvalidArgumentError(f"unknown {what} field {key!r}; known: {', '.join(keys)}")
        out[name] = value
    return out


class APIClient:
    """The seed's ``APIClient``: one method per Gateway endpoint, dict results.

    Without ``reauth_username`` / ``reauth_api_key`` the credentials for
    renewal come from the environment / ``.env`` (``USERNAME``, ``API_KEY``).
    Extra keyword arguments (``transport=``, ``firm=``, ...) go to :class:`ProjectX`.
    """

    def __init__(
        self,
        initial_token: str | None = None,
        token_acquired_at: dt.datetime | None = None,
        reauth_username: str | None = None,
        reauth_api_key: str | None = None,
        *,
        config: ProjectXConfig | None = None,
        env_file: str | None = ".env",
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        if config is None:
            config = ProjectXConfig.from_env(env_file, username=reauth_username, api_key=reauth_api_key)
        self._px = ProjectX(config=config, token=initial_token, transport=transport, **kwargs)
        if initial_token and token_acquired_at is not None:
            self._px.session.set_token(initial_token, token_acquired_at)

    @property
    def px(self) -> ProjectX:
        """The :class:`ProjectX` facade underneath (typed models, async twin, streams)."""
        return self._px

    @property
    def session(self) -> Any:
        return self._px.session

    @property
    def current_token(self) -> str:
        """The session token, renewed first if it is close to expiry (pass it to streams)."""
        return self._px.session.get_token()

    def close(self) -> None:
        self._px.close()

    # -- accounts / contracts --------------------------------------------------------------------
    def get_accounts(self, only_active: bool = True) -> list[dict[str, Any]]:
        return _dicts(self._px.accounts.search(only_active=only_active))

    def search_contracts(self, search_text: str, live: bool = False) -> list[dict[str, Any]]:
        return _dicts(self._px.contracts.search(search_text, live=live))

    def search_contract_by_id(self, contract_id: str) -> dict[str, Any]:
        return dict(self._px.contracts.get(contract_id).to_dict())

    get_contract_by_id = search_contract_by_id

    def list_available_contracts(self, live: bool = False) -> list[dict[str, Any]]:
        return _dicts(self._px.contracts.available(live=live))

    # -- history -------------------------------------------------------------------------------
    def get_historical_bars(
        self,
        contract_id: str,
        start_time: Any,
        end_time: Any,
        unit: Any,
        unit_number: int,
        limit: int = 1000,
        include_partial_bar: bool = False,
        live: bool = False,
    ) -> list[dict[str, Any]]:
        """One ``retrieveBars`` request; bars as the Gateway returns them (newest first)."""
        return _dicts(
            self._px.history.retrieve_bars(
                contract_id,
                _when(start_time, "start_time"),
                _when(end_time, "end_time"),
                unit,
                unit_number,
                live=live,
                include_partial_bar=include_partial_bar,
                limit=limit,
            )
        )

    # -- orders --------------------------------------------------------------------------------
    def place_order(self, order_details: Mapping[str, Any]) -> int:
        """``Order/place`` from Gateway-named fields; returns the order id (see ``ProjectX.orders.place``)."""
        return self._px.orders.place(**_translate(order_details, _PLACE_KEYS, "order")).order_id

    def modify_order(self, order_details: Mapping[str, Any]) -> bool:
        self._px.orders.modify(**_translate(order_details, _MODIFY_KEYS, "modify"))
        return True

    def cancel_order(self, account_id: int, order_id: int) -> bool:
        self._px.orders.cancel(account_id, order_id)
        return True

    def search_orders(
        self, account_id: int, start_timestamp: Any, end_timestamp: Any = None
    ) -> list[dict[str, Any]]:
        return _dicts(
            self._px.orders.search(
                account_id, _when(start_timestamp, "start_timestamp"), _when(end_timestamp, "end_timestamp")
            )
        )

    def search_open_orders(self, account_id: int) -> list[dict[str, Any]]:
        return _dicts(self._px.orders.search_open(account_id))

    def search_order_by_id(self, account_id: int, order_id: int) -> dict[str, Any]:
        return dict(self._px.orders.get(account_id, order_id).to_dict())

    # -- positions / trades --------------------------------------------------------------------
    def close_contract_position(self, account_id: int, contract_id: str) -> bool:
        self._px.positions.close(account_id, contract_id)
        return True

    def partial_close_contract_position(self, account_id: int, contract_id: str, size: int) -> bool:
        self._px.positions.partial_close(account_id, contract_id, size)
        return True

    def search_open_positions(self, account_id: int) -> list[dict[str, Any]]:
        return _dicts(self._px.positions.search_open(account_id))

    def search_trades(
        self, account_id: int, start_timestamp: Any, end_timestamp: Any = None
    ) -> list[dict[str, Any]]:
        return _dicts(
            self._px.trades.search(
                account_id, _when(start_timestamp, "start_timestamp"), _when(end_timestamp, "end_timestamp")
            )
        )

    def __repr__(self) -> str:
        return f"APIClient(px={self._px!r})"
