"""Argument checks and request builders, shared by the sync and async resources.

Everything a caller can get wrong is caught here, before a request exists,
with an error naming the argument (:class:`~specwire.projectx.errors.InvalidArgumentError`):
the sync and async twins, ``APIClient`` and ``OrderPlacer`` call the same checks
and builders, so they refuse exactly the same input. The pagers of
``History/retrieveBars`` and ``Order/v2/query`` live here too.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from specwire.projectx import _gen
from specwire.projectx.errors import InvalidArgumentError
from specwire.projectx.models import AggregateBarUnit, Bracket, OrderSide, OrderStatus, OrderType

if TYPE_CHECKING:
    from specwire.projectx.models import AggregateBarModel

__all__ = [
    "MAX_BARS_PER_REQUEST",
    "bars_request",
    "check_aware",
    "check_flag",
    "check_int",
    "check_positive_int",
    "check_price",
    "check_text",
    "new_custom_tag",
    "parse_bar_unit",
    "parse_side",
    "parse_type",
]

#: Server maximum per retrieveBars request (DOCS retrieve-bars).
MAX_BARS_PER_REQUEST = 20_000
#: How far before the send time a reconciliation search starts (clock skew between us and the Gateway).
RECONCILE_LOOKBACK = dt.timedelta(minutes=5)

_SIDE_NAMES = {"buy": OrderSide.BUY, "bid": OrderSide.BUY, "long": OrderSide.BUY, "sell": OrderSide.SELL,
               "ask": OrderSide.SELL, "short": OrderSide.SELL}  # fmt: skip
_PLACEABLE_TYPES = frozenset(OrderType) - {OrderType.UNKNOWN}


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def parse_side(value: Any, *, arg: str = "side") -> OrderSide:
    """``OrderSide``, a generated ``OrderSide``, ``0``/``1`` or a name (``"BUY"``, ``"sell"``, ``"bid"``)."""
    if isinstance(value, enum.Enum) and not isinstance(value, OrderSide):
        value = value.value
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{arg} must be BUY or SELL, got {value!r}")
    if isinstance(value, int):
        if value in (0, 1):
            return OrderSide(value)
        raise InvalidArgumentError(f"{arg} must be BUY (0) or SELL (1), got {value!r}")
    if isinstance(value, str) and _norm(value) in _SIDE_NAMES:
        return _SIDE_NAMES[_norm(value)]
    raise InvalidArgumentError(f"unknown {arg} {value!r}; use OrderSide.BUY/SELL or 'BUY'/'SELL'")


def parse_type(value: Any, *, arg: str = "type") -> OrderType:
    """``OrderType``, a generated ``OrderType``, its number or name (``"limit"``, ``"TRAILING_STOP"``)."""
    if isinstance(value, enum.Enum) and not isinstance(value, OrderType):
        value = value.value
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{arg} must be an order type, got {value!r}")
    result: OrderType | None = None
    if isinstance(value, int):
        result = OrderType(value) if value in OrderType._value2member_map_ else None
    elif isinstance(value, str):
        key = _norm(value).upper().replace("TRAILINGSTOP", "TRAILING_STOP").replace("STOPLIMIT", "STOP_LIMIT")
        result = OrderType.__members__.get(key)
    if result is None or result not in _PLACEABLE_TYPES:
        names = ", ".join(t.name for t in sorted(_PLACEABLE_TYPES))
        raise InvalidArgumentError(f"unknown {arg} {value!r}; use one of {names}")
    return result


def parse_bar_unit(value: Any, *, arg: str = "unit") -> AggregateBarUnit:
    """A bar unit as enum, number (1 Second ... 6 Month, 7 Tick) or name (``"minute"``)."""
    if isinstance(value, enum.Enum) and not isinstance(value, AggregateBarUnit):
        value = value.value
    if isinstance(value, AggregateBarUnit) and not getattr(value, "is_unknown", False) and value.value != 0:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return AggregateBarUnit(value)
    if isinstance(value, str):
        member = AggregateBarUnit.__members__.get(_norm(value).upper().rstrip("S"))
        if member is not None and member.value != 0:
            return member
    raise InvalidArgumentError(
        f"unknown {arg} {value!r}; use SECOND, MINUTE, HOUR, DAY, WEEK, MONTH or TICK (1-7)"
    )


def check_positive_int(value: Any, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{arg} must be an int >= 1, got {value!r}")
    return value


def check_int(value: Any, arg: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{arg} must be an int, got {value!r}")
    return value


def check_text(value: Any, arg: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{arg} must be a string, got {value!r}")
    return value


def check_flag(value: Any, arg: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{arg} must be True or False, got {value!r}")
    return value


def check_price(value: Any, arg: str, *, required: bool = False) -> float | None:
    """A finite number, or ``None`` when not ``required``."""
    if value is None:
        if required:
            raise InvalidArgumentError(f"{arg} is required for this order type")
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidArgumentError(f"{arg} must be a positive finite number, got {value!r}")
    return float(value)


def check_aware(value: Any, arg: str, *, optional: bool = False) -> dt.datetime | None:
    """A timezone-aware datetime (naive ones are refused: their instant is ambiguous)."""
    if value is None and optional:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidArgumentError(f"{arg} must be a timezone-aware datetime, got {value!r}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InvalidArgumentError(
            f"{arg} is a naive datetime ({value.isoformat()}); pass one with a timezone, e.g. tzinfo=datetime.UTC"
        )
    return value


def new_custom_tag() -> str:
    """A unique ``customTag`` (the Gateway wants tags unique per account)."""
    return f"sw-{uuid.uuid4().hex}"


def _bracket(value: Any, arg: str, default_type: OrderType) -> Bracket | None:
    if value is None:
        return None
    if isinstance(value, Bracket):
        return Bracket(check_int(value.ticks, f"{arg}.ticks"), parse_type(value.type, arg=f"{arg}.type"))
    if isinstance(value, _gen.PlaceOrderBracket):
        return Bracket(check_int(value.ticks, f"{arg}.ticks"), parse_type(value.type_, arg=f"{arg}.type"))
    if isinstance(value, int) and not isinstance(value, bool):
        return Bracket(value, default_type)
    if isinstance(value, Mapping):
        if "ticks" not in value:
            raise InvalidArgumentError(f"{arg} needs 'ticks', got {dict(value)!r}")
        return Bracket(
            check_int(value["ticks"], f"{arg}.ticks"),
            parse_type(value.get("type", default_type), arg=f"{arg}.type"),
        )
    raise InvalidArgumentError(f"{arg} must be signed ticks (int), a Bracket or a mapping, got {value!r}")


def check_bracket_signs(side: OrderSide, stop_loss: Bracket | None, take_profit: Bracket | None) -> None:
    """Refuse brackets whose tick sign points the wrong way for ``side`` (the Gateway rejects them)."""
    long = side is OrderSide.BUY
    if stop_loss is not None:
        if stop_loss.ticks == 0 or (stop_loss.ticks > 0) == long:
            want = "negative (below the entry) for a BUY" if long else "positive (above the entry) for a SELL"
            raise InvalidArgumentError(f"stop_loss_bracket ticks must be {want}, got {stop_loss.ticks}")
        if stop_loss.type is OrderType.LIMIT:
            raise InvalidArgumentError(
                "stop_loss_bracket type LIMIT is rejected by the Gateway ('Invalid stop loss type'); use STOP"
            )
    if take_profit is not None and (take_profit.ticks == 0 or (take_profit.ticks < 0) == long):
        want = "positive (above the entry) for a BUY" if long else "negative (below the entry) for a SELL"
        raise InvalidArgumentError(f"take_profit_bracket ticks must be {want}, got {take_profit.ticks}")


def place_request(
    account_id: Any,
    contract_id: Any,
    type: Any,
    side: Any,
    size: Any,
    *,
    limit_price: Any = None,
    stop_price: Any = None,
    trail_price: Any = None,
    custom_tag: Any = None,
    stop_loss_bracket: Any = None,
    take_profit_bracket: Any = None,
) -> tuple[_gen.PlaceOrderRequest, str]:
    """A checked ``PlaceOrderRequest`` and the ``customTag`` it carries (generated when not given)."""
    account = check_int(account_id, "account_id")
    contract = _contract(contract_id)
    order_type = parse_type(type)
    order_side = parse_side(side)
    qty = check_positive_int(size, "size")
    limit = check_price(
        limit_price, "limit_price", required=order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
    )
    stop = check_price(
        stop_price, "stop_price", required=order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
    )
    trail = check_price(trail_price, "trail_price", required=order_type is OrderType.TRAILING_STOP)
    if trail is not None and order_type is not OrderType.TRAILING_STOP:
        raise InvalidArgumentError(
            f"trail_price is only valid for TRAILING_STOP orders, not {order_type.name}"
        )
    if custom_tag is None:
        tag = new_custom_tag()
    elif isinstance(custom_tag, str) and custom_tag.strip():
        tag = custom_tag
    else:
        raise InvalidArgumentError(f"custom_tag must be a non-empty string, got {custom_tag!r}")
    sl = _bracket(stop_loss_bracket, "stop_loss_bracket", OrderType.STOP)
    tp = _bracket(take_profit_bracket, "take_profit_bracket", OrderType.LIMIT)
    check_bracket_signs(order_side, sl, tp)
    body = _gen.PlaceOrderRequest(
        account_id=account,
        contract_id=contract,
        type_=order_type.to_wire(),
        side=order_side.to_wire(),
        size=qty,
        custom_tag=tag,
    )
    # Unset optionals are omitted rather than sent as null (PXPY: "sending null can be rejected").
    if limit is not None:
        body.limit_price = limit
    if stop is not None:
        body.stop_price = stop
    if trail is not None:
        body.trail_price = trail
    if sl is not None:
        body.stop_loss_bracket = _gen.PlaceOrderBracket(ticks=sl.ticks, type_=sl.type.to_wire())
    if tp is not None:
        body.take_profit_bracket = _gen.PlaceOrderBracket(ticks=tp.ticks, type_=tp.type.to_wire())
    return body, tag


def modify_request(
    account_id: Any,
    order_id: Any,
    *,
    size: Any = None,
    limit_price: Any = None,
    stop_price: Any = None,
    trail_price: Any = None,
) -> _gen.ModifyOrderRequest:
    body = _gen.ModifyOrderRequest(
        account_id=check_int(account_id, "account_id"), order_id=check_int(order_id, "order_id")
    )
    changed = False
    if size is not None:
        body.size = check_positive_int(size, "size")
        changed = True
    for name, value in (
        ("limit_price", limit_price),
        ("stop_price", stop_price),
        ("trail_price", trail_price),
    ):
        if value is not None:
            setattr(body, name, check_price(value, name))
            changed = True
    if not changed:
        raise InvalidArgumentError("modify needs at least one of size, limit_price, stop_price, trail_price")
    return body


def cancel_request(account_id: Any, order_id: Any) -> _gen.CancelOrderRequest:
    return _gen.CancelOrderRequest(
        account_id=check_int(account_id, "account_id"), order_id=check_int(order_id, "order_id")
    )


def _contract(contract_id: Any) -> str:
    if not isinstance(contract_id, str) or not contract_id.strip():
        raise InvalidArgumentError(f"contract_id must be a non-empty string, got {contract_id!r}")
    return contract_id


def close_request(account_id: Any, contract_id: Any) -> _gen.CloseContractPositionRequest:
    return _gen.CloseContractPositionRequest(
        account_id=check_int(account_id, "account_id"), contract_id=_contract(contract_id)
    )


def partial_close_request(
    account_id: Any, contract_id: Any, size: Any
) -> _gen.PartialCloseContractPositionRequest:
    return _gen.PartialCloseContractPositionRequest(
        account_id=check_int(account_id, "account_id"),
        contract_id=_contract(contract_id),
        size=check_positive_int(size, "size"),
    )


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def search_orders_request(account_id: Any, start: Any, end: Any = None) -> _gen.SearchOrderRequest:
    begin = check_aware(start, "start")
    finish = check_aware(end, "end", optional=True)
    body = _gen.SearchOrderRequest(
        account_id=check_int(account_id, "account_id"),
        start_timestamp=_utc(begin),  # type: ignore[arg-type]
    )
    if finish is not None:
        body.end_timestamp = _utc(finish)
    return body


def search_trades_request(account_id: Any, start: Any, end: Any = None) -> _gen.SearchTradeRequest:
    begin = check_aware(start, "start")
    finish = check_aware(end, "end", optional=True)
    body = _gen.SearchTradeRequest(
        account_id=check_int(account_id, "account_id"),
        start_timestamp=_utc(begin),  # type: ignore[arg-type]
    )
    if finish is not None:
        body.end_timestamp = _utc(finish)
    return body


def bars_request(
    contract_id: Any,
    start: Any,
    end: Any,
    unit: Any,
    unit_number: Any,
    *,
    live: Any = False,
    include_partial_bar: Any = False,
    limit: Any = MAX_BARS_PER_REQUEST,
) -> _gen.RetrieveBarRequest:
    begin = check_aware(start, "start")
    finish = check_aware(end, "end")
    assert begin is not None and finish is not None
    if finish <= begin:
        raise InvalidArgumentError(f"end ({finish.isoformat()}) must be after start ({begin.isoformat()})")
    count = check_positive_int(limit, "limit")
    if count > MAX_BARS_PER_REQUEST:
        raise InvalidArgumentError(f"limit must be <= {MAX_BARS_PER_REQUEST} (server maximum), got {count}")
    if not isinstance(live, bool) or not isinstance(include_partial_bar, bool):
        raise InvalidArgumentError(
            f"live and include_partial_bar must be bools, got {live!r}, {include_partial_bar!r}"
        )
    return _gen.RetrieveBarRequest(
        contract_id=_contract(contract_id),
        live=live,
        start_time=_utc(begin),
        end_time=_utc(finish),
        unit=parse_bar_unit(unit),
        unit_number=check_positive_int(unit_number, "unit_number"),
        limit=count,
        include_partial_bar=include_partial_bar,
    )


class BarPager:
    """Walks ``retrieveBars`` backwards in pages and returns the bars oldest first.

    The Gateway returns at most ``limit`` bars per request, newest first, so
    the next page repeats the request with ``endTime`` = the earliest bar seen.
    Bars are de-duplicated by timestamp (the page edge is returned twice).
    """

    def __init__(self, request: _gen.RetrieveBarRequest, max_pages: int | None) -> None:
        if max_pages is not None:
            check_positive_int(max_pages, "max_pages")
        self.request = request
        self.max_pages = max_pages
        self.pages = 0
        self._bars: dict[dt.datetime, AggregateBarModel] = {}
        self.done = False

    def feed(self, bars: Iterable[AggregateBarModel] | None) -> _gen.RetrieveBarRequest | None:
        """Take one page; return the next request, or ``None`` when finished."""
        page = list(bars or [])
        self.pages += 1
        before = len(self._bars)
        for bar in page:
            self._bars.setdefault(bar.t, bar)
        if not page or len(page) < self.request.limit or len(self._bars) == before:
            self.done = True
            return None
        if self.max_pages is not None and self.pages >= self.max_pages:
            self.done = True
            return None
        earliest = min(bar.t for bar in page)
        if earliest <= self.request.start_time:
            self.done = True
            return None
        self.request = attrs.evolve(self.request, end_time=earliest)
        return self.request

    def result(self) -> list[AggregateBarModel]:
        return [self._bars[t] for t in sorted(self._bars)]


def query_request(
    account_id: Any,
    *,
    statuses: Any = None,
    contract_id: Any = None,
    created_after: Any = None,
    created_before: Any = None,
    page_size: Any = 100,
    sort_by: Any = _gen.OrderSortField.CREATED_AT,
    descending: Any = False,
) -> _gen.SearchOrdersQueryRequest:
    flt = _gen.OrderQueryFilter(account_id=check_int(account_id, "account_id"))
    if statuses is not None:
        if isinstance(statuses, int | str):
            statuses = [statuses]
        parsed: list[OrderStatus] = []
        for status in statuses:
            parsed.append(_status(status))
        flt.statuses = parsed
    if contract_id is not None:
        flt.contract_id = _contract(contract_id)
    after = check_aware(created_after, "created_after", optional=True)
    before = check_aware(created_before, "created_before", optional=True)
    if after is not None:
        flt.created_after = _utc(after)
    if before is not None:
        flt.created_before = _utc(before)
    if not isinstance(descending, bool):
        raise InvalidArgumentError(f"descending must be a bool, got {descending!r}")
    return _gen.SearchOrdersQueryRequest(
        filter_=flt,
        page_size=check_positive_int(page_size, "page_size"),
        page_offset=0,
        sort_by=_gen.OrderSortField(int(sort_by)),
        sort_direction=_gen.SortDirection(1 if descending else 0),
        include_total_count=True,
    )


def _status(value: Any) -> OrderStatus:
    if isinstance(value, OrderStatus):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value in OrderStatus._value2member_map_:
        return OrderStatus(value)
    if isinstance(value, str):
        key = value.strip().upper().replace("_", "").replace(" ", "")
        for member in OrderStatus:
            if member.name.replace("_", "") == key:
                return member
    raise InvalidArgumentError(f"unknown order status {value!r}; use e.g. 'OPEN', 'SUSPENDED' or 1")


def next_query_page(
    request: _gen.SearchOrdersQueryRequest, got: int, total: int | None
) -> _gen.SearchOrdersQueryRequest | None:
    """The request for the next page, or ``None`` after the last one."""
    offset = int(request.page_offset or 0) + got
    size = int(request.page_size)  # type: ignore[arg-type]
    if got < size or got == 0 or (total is not None and offset >= total):
        return None
    return attrs.evolve(request, page_offset=offset)
