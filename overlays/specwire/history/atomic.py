"""Crash-safe file replacement: write a hidden temp file, fsync it, rename it over the target.

``os.replace`` is atomic on POSIX and Windows, so a reader (or the next run
after a crash, SIGKILL or Ctrl+C) sees either the previous complete file or the
new complete file, never a torn one. Temp names start with ``.`` and end with
``.tmp`` so that pyarrow dataset discovery (which skips ``.``/``_`` names) and
``**/*.parquet`` globs in polars or DuckDB never pick up a leftover.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_TEMP_SUFFIX = "_temp_update"

_counter = itertools.count()
_in_flight: set[Path] = set()  # temp files this process is writing right now
_in_flight_lock = threading.Lock()


def temp_path_for(path: Path, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> Path:
    """A fresh temp file name for replacing ``path`` (unique per process and per call).

    Unique per call, not only per process: two threads replacing the same file
    must never write into (or rename away) each other's temp file.
    """
    return path.with_name(f".{path.name}{temp_suffix}.{os.getpid()}-{next(_counter)}.tmp")


def _writer_pid(leftover: Path, prefix: str) -> int | None:
    middle = leftover.name[len(prefix) : -len(".tmp")]
    try:
        return int(middle.split("-", 1)[0])
    except ValueError:
        return None


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # no harmless liveness probe (os.kill would terminate on Windows)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else
        return True
    return True


def remove_stale_temps(path: Path, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> int:
    """Delete temp files a killed writer left next to ``path``; returns how many.

    A temp file still being written -- by another thread of this process, or by
    another live process -- is left alone.
    """
    removed = 0
    if not path.parent.is_dir():
        return 0
    prefix = f".{path.name}{temp_suffix}."
    me = os.getpid()
    for leftover in path.parent.glob(f"{prefix}*.tmp"):
        with _in_flight_lock:
            if leftover in _in_flight:
                continue
        pid = _writer_pid(leftover, prefix)
        if pid is not None and pid != me and _pid_alive(pid):
            continue
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed


@contextlib.contextmanager
def _temp_for(target: Path, temp_suffix: str) -> Iterator[Path]:
    tmp = temp_path_for(target, temp_suffix)
    with _in_flight_lock:
        _in_flight.add(tmp)
    try:
        yield tmp
    except BaseException:
        # Ctrl+C, disk full, bad data: drop the temp file, keep the previous target untouched.
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    finally:
        with _in_flight_lock:
            _in_flight.discard(tmp)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not supported on every platform (Windows).
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_table(
    table: pa.Table,
    path: str | os.PathLike[str],
    *,
    temp_suffix: str = DEFAULT_TEMP_SUFFIX,
    compression: str = "zstd",
    row_group_size: int | None = None,
    sorting_columns: list[pq.SortingColumn] | None = None,
) -> Path:
    """Write ``table`` as Parquet to ``path`` so that ``path`` is never partially written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _temp_for(target, temp_suffix) as tmp:
        with open(tmp, "wb") as fh:
            pq.write_table(
                table,
                fh,
                compression=compression,
                row_group_size=row_group_size,
                sorting_columns=sorting_columns,
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    _fsync_dir(target.parent)
    return target


def atomic_write_bytes(
    data: bytes, path: str | os.PathLike[str], *, temp_suffix: str = DEFAULT_TEMP_SUFFIX, durable: bool = True
) -> Path:
    """Replace ``path`` with ``data`` atomically (used for small sidecar files such as the gap ledger).

    ``durable=False`` skips the fsyncs: the file is still never torn, but the
    last write may be lost on power failure (fine for data that can be rebuilt).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _temp_for(target, temp_suffix) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    if durable:
        _fsync_dir(target.parent)
    return target
