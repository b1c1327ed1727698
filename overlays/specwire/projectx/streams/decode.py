"""Every observed wire form of a hub event, normalised to the typed events of :mod:`.events`.

Reference §6.2/§6.3 and §9 item 9: market events come as ``(contractId, data)``
where ``data`` is one object or an array; user events as a bare entity, as
``{"action": n, "data": entity-or-array}``, as ``(accountId, entity)`` or as an
array of entities. Arguments arrive undecoded (:class:`msgspec.Raw`, a slice of
the frame) and are decoded once, straight into the generated models; the first
byte of an argument tells the form apart, so the common case costs one decode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from specwire_gen.projectx.stream_models import (
    GatewayDepthEntry,
    GatewayQuote,
    GatewayTradePrint,
    GatewayUserAccount,
    GatewayUserAccountAction,
    GatewayUserOrder,
    GatewayUserOrderAction,
    GatewayUserPosition,
    GatewayUserPositionAction,
    GatewayUserTrade,
    GatewayUserTradeAction,
)

from specwire.core.errors import StreamParseError
from specwire.projectx.streams.events import (
    AccountEvent,
    DepthEvent,
    LogoutEvent,
    OrderEvent,
    PositionEvent,
    QuoteEvent,
    TradeEvent,
    UserTradeEvent,
)

__all__ = ["MARKET_TARGETS", "USER_TARGETS", "MarketDecoder", "UserDecoder"]

T = TypeVar("T")

MARKET_TARGETS = ("GatewayQuote", "GatewayTrade", "GatewayDepth", "GatewayLogout")
USER_TARGETS = (
    "GatewayUserAccount",
    "GatewayUserOrder",
    "GatewayUserPosition",
    "GatewayUserTrade",
    "GatewayLogout",
)

_str = msgspec.json.Decoder(str)
_int = msgspec.json.Decoder(int)
_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
_any = msgspec.json.Decoder()


def _first(raw: msgspec.Raw) -> int:
    """First non-blank byte of a JSON value (0 for an empty one)."""
    view = memoryview(raw)
    for byte in view[:16]:
        if byte not in b" \t\r\n":
            return byte
    return 0


def _describe(raw: msgspec.Raw, limit: int = 200) -> str:
    text = bytes(raw)[:limit]
    return repr(text)


class MarketDecoder:
    """Market-hub arguments → events. One instance per stream (decoders are reused)."""

    def __init__(self) -> None:
        self._quote = msgspec.json.Decoder(GatewayQuote)
        self._quotes = msgspec.json.Decoder(list[GatewayQuote])
        self._print = msgspec.json.Decoder(GatewayTradePrint)
        self._prints = msgspec.json.Decoder(list[GatewayTradePrint])
        self._entry = msgspec.json.Decoder(GatewayDepthEntry)
        self._entries = msgspec.json.Decoder(list[GatewayDepthEntry])

    @staticmethod
    def _split(target: str, args: list[msgspec.Raw]) -> tuple[str, msgspec.Raw]:
        if len(args) == 2:
            contract, data = args
            if _first(contract) == 0x22:  # '"'
                return _str.decode(contract), data
        if len(args) == 1 and _first(args[0]) in (0x7B, 0x5B):
            # No contract id argument: take it from nowhere rather than guess.
            return "", args[0]
        raise StreamParseError(
            f"{target}: expected arguments (contractId, data), got {len(args)} argument(s) "
            f"{[_describe(a, 80) for a in args]}"
        )

    def quotes(self, args: list[msgspec.Raw]) -> list[QuoteEvent]:
        contract_id, data = self._split("GatewayQuote", args)
        try:
            if _first(data) == 0x5B:
                return [QuoteEvent(contract_id, q) for q in self._quotes.decode(data)]
            return [QuoteEvent(contract_id, self._quote.decode(data))]
        except msgspec.ValidationError as exc:
            raise StreamParseError(f"GatewayQuote for {contract_id!r}: {exc}: {_describe(data)}") from exc

    def trades(self, args: list[msgspec.Raw]) -> list[TradeEvent]:
        contract_id, data = self._split("GatewayTrade", args)
        try:
            if _first(data) == 0x5B:
                return [TradeEvent(contract_id, t) for t in self._prints.decode(data)]
            return [TradeEvent(contract_id, self._print.decode(data))]
        except msgspec.ValidationError as exc:
            raise StreamParseError(f"GatewayTrade for {contract_id!r}: {exc}: {_describe(data)}") from exc

    def depth(self, args: list[msgspec.Raw]) -> list[DepthEvent]:
        contract_id, data = self._split("GatewayDepth", args)
        try:
            if _first(data) == 0x5B:
                return [DepthEvent(contract_id, self._entries.decode(data))]
            return [DepthEvent(contract_id, [self._entry.decode(data)])]
        except msgspec.ValidationError as exc:
            raise StreamParseError(f"GatewayDepth for {contract_id!r}: {exc}: {_describe(data)}") from exc


def logout(args: list[msgspec.Raw]) -> list[LogoutEvent]:
    return [LogoutEvent([_any.decode(a) for a in args])]


class _EntityDecoder:
    """Decoder for one user-hub entity type in all its wrappings."""

    def __init__(
        self,
        target: str,
        entity: type[Any],
        action: type[Any],
        make: Callable[[Any, int | None], Any],
    ) -> None:
        self.target = target
        self.entity = msgspec.json.Decoder(entity)
        self.action = msgspec.json.Decoder(action)
        self.make = make

    def decode(self, args: list[msgspec.Raw]) -> list[Any]:
        events: list[Any] = []
        for raw in args:
            first = _first(raw)
            if first == 0x7B:  # '{'
                events.extend(self._object(raw))
            elif first == 0x5B:  # '['
                for item in _raw_list.decode(raw):
                    events.extend(self._object(item))
            elif first in b"-0123456789":
                _int.decode(raw)  # the (accountId, entity) form: the entity carries accountId too
            elif first == 0x6E:  # null
                continue
            else:
                raise StreamParseError(f"{self.target}: unexpected argument {_describe(raw)}")
        if not events:
            raise StreamParseError(
                f"{self.target}: no entity in arguments {[_describe(a, 80) for a in args]}"
            )
        return events

    def _object(self, raw: msgspec.Raw) -> list[Any]:
        if b'"data"' in bytes(raw):
            try:
                wrapped = self.action.decode(raw)
            except msgspec.ValidationError:
                wrapped = None
            if wrapped is not None:
                data = wrapped.data
                items = data if isinstance(data, list) else [data]
                return [self.make(item, wrapped.action) for item in items]
        try:
            return [self.make(self.entity.decode(raw), None)]
        except msgspec.ValidationError as exc:
            raise StreamParseError(f"{self.target}: {exc}: {_describe(raw)}") from exc


class UserDecoder:
    """User-hub arguments → events, by target."""

    def __init__(self) -> None:
        self.by_target: dict[str, _EntityDecoder] = {
            "GatewayUserAccount": _EntityDecoder(
                "GatewayUserAccount",
                GatewayUserAccount,
                GatewayUserAccountAction,
                lambda e, a: AccountEvent(e, a),
            ),
            "GatewayUserOrder": _EntityDecoder(
                "GatewayUserOrder", GatewayUserOrder, GatewayUserOrderAction, lambda e, a: OrderEvent(e, a)
            ),
            "GatewayUserPosition": _EntityDecoder(
                "GatewayUserPosition",
                GatewayUserPosition,
                GatewayUserPositionAction,
                lambda e, a: PositionEvent(e, a),
            ),
            "GatewayUserTrade": _EntityDecoder(
                "GatewayUserTrade",
                GatewayUserTrade,
                GatewayUserTradeAction,
                lambda e, a: UserTradeEvent(e, a),
            ),
        }

    def decode(self, target: str, args: list[msgspec.Raw]) -> list[Any]:
        return self.by_target[target].decode(args)
