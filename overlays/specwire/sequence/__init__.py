"""Sequence Markets: the documented Python API (``Sequence``, ``SequenceError``) on specwire's core.

``from specwire.sequence import Sequence, SequenceError`` replaces ``from sequence_markets import ...``:
same methods, arguments and defaults, plus an asyncio twin (:class:`AsyncSequence`), typed models on
every documented result (``result.model``), orders that a retry can never duplicate, exact fixed-point
conversion (:mod:`specwire.sequence.fixedpoint`) and streams that reconnect and re-subscribe.
"""

from .async_client import AsyncSequence
from .batch import AsyncBatchBuilder, BatchBuilder
from .client import Sequence
from .errors import SequenceError, SequenceResponseError, family
from .fixedpoint import from_1e8, from_1e9, to_1e8, to_1e9
from .graphs import build_graph, edge, new_graph_id, node
from .models import AmendResult, BatchResult, Record
from .streams import LifecycleStream, SequenceStream, StreamMessage, StreamOptions

__all__ = [
    "AmendResult",
    "AsyncBatchBuilder",
    "AsyncSequence",
    "BatchBuilder",
    "BatchResult",
    "LifecycleStream",
    "Record",
    "Sequence",
    "SequenceError",
    "SequenceResponseError",
    "SequenceStream",
    "StreamMessage",
    "StreamOptions",
    "build_graph",
    "edge",
    "family",
    "from_1e8",
    "from_1e9",
    "new_graph_id",
    "node",
    "to_1e8",
    "to_1e9",
]
