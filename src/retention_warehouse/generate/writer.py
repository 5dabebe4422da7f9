"""Landing-zone writer: Arrow schemas of docs/architecture.md, ids, Parquet files, params JSON.

Shared by the generator and the order-file importer so both write the same contract.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .timeutil import month_label

S, F, I = pa.string(), pa.float64(), pa.int64()
SCHEMAS: dict[str, pa.Schema] = {
    "customers": pa.schema([("customer_id", S), ("signup_at", S), ("country", S), ("acquisition_channel", S)]),
    "products": pa.schema(
        [("product_id", S), ("product_name", S), ("category", S), ("unit_cost", F), ("list_price", F)]
    ),
    "orders": pa.schema(
        [
            ("order_id", S),
            ("customer_id", S),
            ("ordered_at", S),
            ("status", S),
            ("currency", S),
            ("gross_amount", F),
            ("discount_amount", F),
            ("platform", S),
        ]
    ),
    "order_items": pa.schema(
        [("order_item_id", S), ("order_id", S), ("product_id", S), ("quantity", I), ("unit_price", F)]
    ),
    "marketing_spend": pa.schema([("spend_date", S), ("channel", S), ("currency", S), ("spend_amount", F)]),
    "survey_responses": pa.schema(
        [
            ("response_id", S),
            ("customer_id", S),
            ("responded_at", S),
            ("nps_score", I),
            ("csat_score", I),
            ("cancellation_reason", S),
        ]
    ),
    "experiment_assignments": pa.schema(
        [("assignment_id", S), ("experiment_id", S), ("customer_id", S), ("variant", S), ("assigned_at", S)]
    ),
}
PARTITIONED = frozenset({"orders", "order_items"})
PARAMS_FILE = "_generator_params.json"
COMPRESSION = "zstd"

# Id widths: zero-padded numbers after a one-letter prefix. Widths only pad (never truncate), so
# ids stay unique beyond them; bad-row "unknown" ids use a longer width and cannot collide.
ID_WIDTH = {"C": 9, "O": 10, "I": 11, "R": 9, "A": 9}


def id_array(prefix: str, numbers: np.ndarray, width: int | None = None) -> pa.Array:
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(text, width=ID_WIDTH[prefix] if width is None else width, padding="0")
    return pc.binary_join_element_wise(prefix, padded, "")


def lookup(values: tuple | list, index: np.ndarray) -> pa.Array:
    """Strings for small-integer codes, built by Arrow's take instead of Python objects."""
    return pa.array(list(values), S).take(pa.array(np.asarray(index, dtype=np.int64)))


def nullable_int(values: np.ndarray, null: int = -1) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, I, mask=values == null)


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
    return [raw_dir / name / f"order_month={month_label(key)}" for key in np.unique(month)]


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


def write_params(raw_dir: Path, params: dict) -> Path:
    path = raw_dir / PARAMS_FILE
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(params, indent=2, sort_keys=False) + "\n")
    os.replace(temp, path)
    return path
