"""The generator's side of writing the landing: its id formats, code lookups and params JSON.
Files themselves are written by retention_warehouse.landing.files, as the importer writes them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..landing.contract import PARAMS_FILE
from ..landing.files import prefixed_ids

# Id widths: zero-padded numbers after a one-letter prefix. Widths only pad (never truncate), so
# ids stay unique beyond them; bad-row "unknown" ids use a longer width and cannot collide.
ID_WIDTH = {"C": 9, "O": 10, "I": 11, "R": 9, "A": 9}


def id_array(prefix: str, numbers: np.ndarray, width: int | None = None) -> pa.Array:
    return prefixed_ids(prefix, numbers, ID_WIDTH[prefix] if width is None else width)


def lookup(values: tuple | list, index: np.ndarray) -> pa.Array:
    """Strings for small-integer codes, built by Arrow's take instead of Python objects."""
    return pa.array(list(values), pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))


def nullable_int(values: np.ndarray, null: int = -1) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    return pa.array(values, pa.int64(), mask=values == null)


def write_params(raw_dir: Path, params: dict) -> Path:
    path = raw_dir / PARAMS_FILE
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(params, indent=2, sort_keys=False) + "\n")
    os.replace(temp, path)
    return path
