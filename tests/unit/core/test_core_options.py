"""Per-call options travel in a context variable: nesting merges, tasks inherit, threads do not."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from specwire.core import ConfigurationError, RequestOptions, current_options, request_options


def test_outside_any_block_everything_is_unset() -> None:
    assert current_options() == RequestOptions()


def test_nested_blocks_merge_and_restore() -> None:
    with request_options(timeout=5, max_retries=1) as outer:
        assert outer == RequestOptions(timeout=5, max_retries=1)
        with request_options(max_retries=0, idempotent=True) as inner:
            assert inner == RequestOptions(timeout=5, max_retries=0, idempotent=True)
            assert current_options() is inner
        assert current_options() == outer
    assert current_options() == RequestOptions()


def test_options_object_and_keywords_combine() -> None:
    base = RequestOptions(timeout=httpx.Timeout(3.0), max_retries=3)
    with request_options(base, max_retries=0) as eff:
        assert eff.timeout == httpx.Timeout(3.0) and eff.max_retries == 0
        assert eff.httpx_timeout() == httpx.Timeout(3.0)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.5}, "-1.5"),
        ({"timeout": "5"}, "timeout"),
        ({"max_retries": -1}, "-1"),
        ({"max_retries": 1.5}, "1.5"),
        ({"idempotent": "yes"}, "idempotent"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "a\r\nb"}, "idempotency_key"),
    ],
)
def test_bad_values_are_rejected_on_entry(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle), request_options(**kwargs):  # type: ignore[arg-type]
        pass
    assert current_options() == RequestOptions()


async def test_tasks_inherit_and_are_isolated() -> None:
    async def read_after_yield() -> int | None:
        await asyncio.sleep(0)
        return current_options().max_retries

    with request_options(max_retries=7):
        inherited = asyncio.create_task(read_after_yield())
    outside = asyncio.create_task(read_after_yield())
    assert await inherited == 7
    assert await outside is None


def test_other_threads_do_not_see_the_block() -> None:
    seen: list[RequestOptions] = []
    with request_options(max_retries=0):
        t = threading.Thread(target=lambda: seen.append(current_options()))
        t.start()
        t.join()
    assert seen == [RequestOptions()]
