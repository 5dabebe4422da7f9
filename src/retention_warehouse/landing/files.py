"""Writing landing files as the contract says (retention_warehouse.landing.contract): Parquet
with the contract's schema, partitioned tables under `order_month=YYYY-MM/` folders, every file
written under a temporary name and renamed. Shared by the generator and the order-file importer.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .contract import PARTITION_COLUMN, SCHEMAS
from .timestamps import month_label

COMPRESSION = "zstd"


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Ids such as C000000042: a prefix and a number zero-padded to `width` (never truncated)."""
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(text, width=width, padding="0"), "")


def _column(values, kind: pa.DataType) -> pa.Array:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.cast(kind)
    return pa.array(values, kind)


def make_table(name: str, columns: dict) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.Table.from_arrays([_column(columns[f.name], f.type) for f in schema], schema=schema)


def _part_file(folder: Path, part: int | str) -> Path:
    """part-00003.parquet for generate's chunks, part-<tag>.parquet for a named part (appends)."""
    return folder / (f"part-{part:05d}.parquet" if isinstance(part, int) else f"part-{part}.parquet")


def _write_atomic(table: pa.Table, path: Path) -> None:
    """Readers (a build running while an append lands) see the whole file or none of it."""
    temp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, temp, compression=COMPRESSION)
    os.replace(temp, path)


def write_plain(raw_dir: Path, name: str, table: pa.Table, part: int | str = 0) -> None:
    folder = raw_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(table.cast(SCHEMAS[name]), _part_file(folder, part))


def _folders(raw_dir: Path, name: str, month: np.ndarray | None) -> list[Path]:
    if month is None:
        return [raw_dir / name]
    return [raw_dir / name / f"{PARTITION_COLUMN}={month_label(key)}" for key in np.unique(month)]


def part_files(raw_dir: Path, name: str, part: int | str, month: np.ndarray | None = None) -> list[Path]:
    """The files write_plain (month None) or write_by_month would write."""
    return [_part_file(folder, part) for folder in _folders(raw_dir, name, month)]


def write_by_month(
    raw_dir: Path, name: str, table: pa.Table, month: np.ndarray, part: int | str = 0
) -> list[int]:
    """Hive-partitioned write: order_month=YYYY-MM/part-<part>.parquet; the key stays in the path."""
    if np.any(month[1:] < month[:-1]):  # clean rows come sorted; only appended bad rows need this
        order = np.argsort(month, kind="stable")
        table, month = table.take(pa.array(order)), month[order]
    keys, starts = np.unique(month, return_index=True)
    bounds = list(starts) + [len(month)]
    for folder, lo, hi in zip(_folders(raw_dir, name, keys), bounds[:-1], bounds[1:]):
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(table.slice(lo, hi - lo).cast(SCHEMAS[name]), _part_file(folder, part))
    return [int(k) for k in keys]
