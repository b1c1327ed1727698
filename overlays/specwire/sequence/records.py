"""Results that are both the plain JSON the service sent and a typed model.

Why both: the documented Python API returns plain dicts (``r["quotes"][0]["nbbo"]["bid"]``), and
code written for it must keep working; specwire adds the generated typed model on ``.model``
(``r.model.quotes[0].nbbo.bid``). The model is parsed on first access and cached, so callers that only
use the dict never pay for it, and a field the spec does not know yet never breaks the dict view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from .errors import SequenceResponseError

__all__ = ["Record", "records"]

M = TypeVar("M")

_MISSING: Any = object()


class Record(dict[str, Any], Generic[M]):
    """A JSON object response (a real ``dict``) with its typed view on :attr:`model`."""

    __slots__ = ("_model", "_parse")

    def __init__(self, data: Mapping[str, Any], parse: Callable[[Mapping[str, Any]], M]) -> None:
        super().__init__(data)
        self._parse = parse
        self._model: Any = _MISSING

    @property
    def model(self) -> M:
        """The generated typed model for this response (parsed once, on first use).

        Raises :class:`~specwire.sequence.errors.SequenceResponseError` naming the problem if the
        body does not have the documented shape.
        """
        cached = getattr(self, "_model", _MISSING)
        if cached is _MISSING:
            parse = getattr(self, "_parse", None)
            if parse is None:
                raise SequenceResponseError(0, "this Record has no model parser (was it copied?)")
            try:
                cached = parse(self)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise SequenceResponseError(
                    0, f"response does not match the documented shape: {type(exc).__name__}: {exc}"
                ) from exc
            self._model = cached
        return cached  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Record({dict.__repr__(self)})"


def records(items: Any, parse: Callable[[Mapping[str, Any]], M]) -> list[Record[M]]:
    """A JSON array of objects as a list of :class:`Record` (non-object items are a shape error)."""
    if not isinstance(items, list):
        raise SequenceResponseError(0, f"expected a JSON array, got {type(items).__name__}")
    out: list[Record[M]] = []
    for item in items:
        if not isinstance(item, dict):
            raise SequenceResponseError(0, f"expected JSON objects in the array, got {type(item).__name__}")
        out.append(Record(item, parse))
    return out
