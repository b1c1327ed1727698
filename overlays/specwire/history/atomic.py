"""Crash-safe file replacement: write a hidden temp file, fsync it, rename it over the target.

``os.replace`` is atomic on POSIX and Windows, so a reader (or the next run
after a crash, SIGKILL or Ctrl+C) sees either the previous complete file or the
new complete file, never a torn one. Temp names start with ``.`` and end with
``.tmp`` so that pyarrow dataset discovery (which skips ``.``/``_`` names) and
``**/*.parquet`` globs in polars or DuckDB never pick up a leftover.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_TEMP_SUFFIX = "_temp_update"


def temp_path_for(path: Path, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> Path:
    """The temp file used while ``path`` is being replaced (unique per process)."""
    return path.with_name(f".{path.name}{temp_suffix}.{os.getpid()}.tmp")


def remove_stale_temps(path: Path, temp_suffix: str = DEFAULT_TEMP_SUFFIX) -> int:
    """Delete temp files a killed writer left next to ``path``; returns how many."""
    removed = 0
    if not path.parent.is_dir():
        return 0
    for leftover in path.parent.glob(f".{path.name}{temp_suffix}.*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed


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
    tmp = temp_path_for(target, temp_suffix)
    try:
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
    except BaseException:
        # Ctrl+C, disk full, bad data: drop the temp file, keep the previous target untouched.
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
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
    tmp = temp_path_for(target, temp_suffix)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(target.parent)
    return target
