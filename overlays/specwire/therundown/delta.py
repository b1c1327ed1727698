"""The two polling change feeds as iterators that keep their own cursor.

:class:`MarketDeltaFeed` (``/api/v2/markets/delta``, integer cursor) does what the reference asks of every
integrator, so callers do not have to:

1. bootstrap the cursor from ``meta.delta_last_id`` of a scoped events snapshot, and only when that snapshot
   says ``X-Data-Delay-Seconds: 0`` (a delayed key gets :class:`DeltaUnavailableError`, never a made-up 0);
2. poll with the cursor, and while ``meta.has_more`` is true poll again at once;
3. when the server answers 400 "last_id is stale / not found, re-bootstrap", take **one** fresh snapshot and
   carry on (``rebootstraps`` counts them; ``snapshot`` holds the latest, so state can be rebuilt from it).
   A second stale answer straight after a re-bootstrap is raised instead of looping.

:class:`EventDeltaFeed` (``/api/v2/delta``, UUID cursor) yields whole events, parsing the JSON string in each
``data``; a stale cursor restarts it from the all-zero cursor once.

Both are plain iterators for :class:`~specwire.therundown.client.TheRundown` and async iterators for
:class:`~specwire.therundown.async_client.AsyncTheRundown`; ``poll()`` / ``apoll()`` fetch one catch-up
(every page until ``has_more`` is false) without waiting, which is what the WebSocket stream uses after a
reconnect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from specwire_gen.therundown.types import Unset

from specwire.core.errors import BadRequestError, ConfigurationError, SpecwireError, StreamParseError
from specwire.therundown import _calls as c
from specwire.therundown import models as _models
from specwire.therundown.errors import TheRundownBadRequestError, is_stale_cursor
from specwire.therundown.ids import MAX_MARKET_IDS, csv_ids
from specwire.therundown.usage import Usage

if TYPE_CHECKING:
    from specwire.therundown.async_client import AsyncTheRundown
    from specwire.therundown.client import TheRundown
    from specwire.therundown.models import (
        Event,
        EventDeltaResponse,
        EventsResponse,
        MarketDeltaEntry,
        MarketDeltaResponse,
    )

__all__ = ["DeltaUnavailableError", "EventDeltaFeed", "MarketDeltaFeed"]

logger = logging.getLogger("specwire.therundown.delta")


class DeltaUnavailableError(SpecwireError):
    """The delta feed cannot be used: the key's data is delayed, or no cursor was offered."""


def _meta_value(meta: Any, name: str) -> Any:
    if meta is None or isinstance(meta, Unset):
        return None
    value = getattr(meta, name, None)
    return None if isinstance(value, Unset) else value


def _today(offset_minutes: int | None) -> dt.date:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=offset_minutes or 0)
    return now.date()


class MarketDeltaFeed:
    """Price changes since a cursor, for as long as you iterate. See the module docstring."""

    def __init__(
        self,
        client: TheRundown | AsyncTheRundown,
        *,
        sport_id: Any,
        date: Any = None,
        market_ids: Any = c.DELTA_DEFAULT_MARKETS,
        affiliate_ids: Any = None,
        event_id: str | None = None,
        last_id: int | str | None = None,
        limit: int | None = None,
        poll_interval: float = 2.0,
        offset: int | None = None,
        on_rebootstrap: Callable[[EventsResponse], Any] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float) or poll_interval < 0:
            raise ConfigurationError(f"poll_interval must be a number of seconds >= 0, got {poll_interval!r}")
        self._client = client
        self._filters = {
            "sport_id": sport_id,
            "affiliate_ids": affiliate_ids,
            "market_ids": market_ids,
            "event_id": event_id,
            "limit": limit,
        }
        self._date = date
        self._offset = offset
        self.poll_interval = float(poll_interval)
        self.on_rebootstrap = on_rebootstrap
        self._sleep = sleep
        self._asleep = asleep
        # Validate everything now, before the first request.
        c.market_delta({**self._filters, "last_id": 1})
        self._snapshot_args()
        self.cursor: str | None = str(last_id) if last_id is not None else None
        if last_id is not None:
            c.market_delta({**self._filters, "last_id": last_id})
        #: the latest bootstrap snapshot (current state when the feed (re)started)
        self.snapshot: EventsResponse | None = None
        self.rebootstraps = 0
        self.pages = 0
        self._fresh_bootstrap = False

    # -- request building ---------------------------------------------------------------------------

    def _snapshot_args(self) -> dict[str, Any]:
        market_text = csv_ids(self._filters["market_ids"], kind="market", limit=MAX_MARKET_IDS)
        return {
            "sport_id": self._filters["sport_id"],
            "date": self._date if self._date is not None else _today(self._offset),
            "market_ids": market_text,
            "affiliate_ids": self._filters["affiliate_ids"],
            "main_line": None,
            "participant_ids": None,
            "participant_type": None,
            "hide_closed": None,
            "hide_no_markets": None,
            "event_status": None,
            "exclude_status": None,
            "all_periods": False,
            "offset": self._offset,
        }

    def _adopt_snapshot(self, snapshot: EventsResponse, usage: Usage) -> None:
        if usage.data_delay_seconds is not None and usage.data_delay_seconds != 0:
            raise DeltaUnavailableError(
                f"the delta feed needs a real-time key: this key's data is delayed by "
                f"{usage.data_delay_seconds:g} s (X-Data-Delay-Seconds); poll snapshots instead"
            )
        cursor = _meta_value(getattr(snapshot, "meta", None), "delta_last_id")
        if not cursor:
            raise DeltaUnavailableError(
                "the events snapshot carried no meta.delta_last_id to start the delta feed"
            )
        self.cursor = str(cursor)
        self.snapshot = snapshot
        self._fresh_bootstrap = True
        logger.info("delta feed bootstrapped at cursor %s", self.cursor)

    def _on_stale(self, exc: BadRequestError) -> None:
        if not is_stale_cursor(exc.body) or self._fresh_bootstrap:
            raise exc
        logger.warning("delta cursor %s rejected (%s); re-bootstrapping once", self.cursor, exc.message)
        self.cursor = None
        self.rebootstraps += 1

    def _take_page(self, page: MarketDeltaResponse) -> tuple[list[MarketDeltaEntry], bool]:
        self.pages += 1
        self._fresh_bootstrap = False
        meta = page.meta
        cursor = _meta_value(meta, "delta_last_id")
        if cursor:
            self.cursor = str(cursor)
        deltas = [] if isinstance(page.deltas, Unset) else list(page.deltas)
        return deltas, bool(_meta_value(meta, "has_more"))

    def _notify(self, rebooted: bool) -> None:
        if rebooted and self.on_rebootstrap is not None and self.snapshot is not None:
            self.on_rebootstrap(self.snapshot)

    # -- sync ---------------------------------------------------------------------------------------

    def pages_now(self) -> Iterator[list[MarketDeltaEntry]]:
        """Every page available right now (bootstrapping first if needed); stops when ``has_more`` is false."""
        client: Any = self._client
        while True:
            if self.cursor is None:
                rebooted = self.rebootstraps > 0
                snapshot, usage = client._run_detailed(c.events(self._snapshot_args()))
                self._adopt_snapshot(snapshot, usage)
                self._notify(rebooted)
            try:
                page, _ = client._run_detailed(c.market_delta({**self._filters, "last_id": self.cursor}))
            except TheRundownBadRequestError as exc:
                self._on_stale(exc)
                continue
            deltas, more = self._take_page(page)
            yield deltas
            if not more:
                return

    def poll(self) -> list[MarketDeltaEntry]:
        """One catch-up: all changes available now, in order."""
        return [d for page in self.pages_now() for d in page]

    def __iter__(self) -> Iterator[MarketDeltaEntry]:
        while True:
            for page in self.pages_now():
                yield from page
            self._sleep(self.poll_interval)

    # -- async --------------------------------------------------------------------------------------

    async def apages_now(self) -> AsyncIterator[list[MarketDeltaEntry]]:
        client: Any = self._client
        while True:
            if self.cursor is None:
                rebooted = self.rebootstraps > 0
                snapshot, usage = await client._arun_detailed(c.events(self._snapshot_args()))
                self._adopt_snapshot(snapshot, usage)
                self._notify(rebooted)
            try:
                page, _ = await client._arun_detailed(
                    c.market_delta({**self._filters, "last_id": self.cursor})
                )
            except TheRundownBadRequestError as exc:
                self._on_stale(exc)
                continue
            deltas, more = self._take_page(page)
            yield deltas
            if not more:
                return

    async def apoll(self) -> list[MarketDeltaEntry]:
        return [d async for page in self.apages_now() for d in page]

    async def __aiter__(self) -> AsyncIterator[MarketDeltaEntry]:
        while True:
            async for page in self.apages_now():
                for delta in page:
                    yield delta
            await self._asleep(self.poll_interval)


class EventDeltaFeed:
    """Whole changed events since a UUID cursor (``/api/v2/delta``); each cached event should be replaced."""

    def __init__(
        self,
        client: TheRundown | AsyncTheRundown,
        *,
        sport_id: Any = None,
        affiliate_ids: Any = None,
        last_id: str = c.ZERO_UUID,
        poll_interval: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float) or poll_interval < 0:
            raise ConfigurationError(f"poll_interval must be a number of seconds >= 0, got {poll_interval!r}")
        self._client = client
        self._filters = {"sport_id": sport_id, "affiliate_ids": affiliate_ids}
        c.event_delta({**self._filters, "last_id": last_id})
        self.cursor = last_id
        self.poll_interval = float(poll_interval)
        self.restarts = 0
        self._sleep = sleep
        self._asleep = asleep

    def _on_stale(self, exc: BadRequestError) -> None:
        if not is_stale_cursor(exc.body) or self.cursor == c.ZERO_UUID:
            raise exc
        logger.warning(
            "event delta cursor %s rejected (%s); restarting from the zero cursor", self.cursor, exc.message
        )
        self.cursor = c.ZERO_UUID
        self.restarts += 1

    def _take(self, page: EventDeltaResponse) -> list[Event]:
        cursor = _meta_value(page.meta, "delta_last_id")
        events: list[Event] = []
        for item in [] if isinstance(page.deltas, Unset) else page.deltas:
            raw = item.data
            if isinstance(raw, Unset):
                continue
            try:
                events.append(_models.Event.from_dict(json.loads(raw)))
            except (ValueError, TypeError, KeyError) as exc:
                raise StreamParseError(f"event delta item is not a serialized event: {raw[:120]!r}") from exc
        if cursor:
            self.cursor = str(cursor)
        return events

    def poll(self) -> list[Event]:
        client: Any = self._client
        while True:
            try:
                page, _ = client._run_detailed(c.event_delta({**self._filters, "last_id": self.cursor}))
            except TheRundownBadRequestError as exc:
                self._on_stale(exc)
                continue
            return self._take(page)

    async def apoll(self) -> list[Event]:
        client: Any = self._client
        while True:
            try:
                page, _ = await client._arun_detailed(
                    c.event_delta({**self._filters, "last_id": self.cursor})
                )
            except TheRundownBadRequestError as exc:
                self._on_stale(exc)
                continue
            return self._take(page)

    def __iter__(self) -> Iterator[Event]:
        while True:
            events = self.poll()
            yield from events
            if not events:
                self._sleep(self.poll_interval)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            events = await self.apoll()
            for event in events:
                yield event
            if not events:
                await self._asleep(self.poll_interval)
