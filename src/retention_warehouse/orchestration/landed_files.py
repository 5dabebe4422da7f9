"""The landing zone as the flow sees it: tables, partitions, a content fingerprint, data frames."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from retention_warehouse.landing.contract import PARTITION_COLUMN

PARTITION_PREFIX = f"{PARTITION_COLUMN}="


@dataclass(frozen=True)
class Landing:
    tables: dict[str, Path]  # table name -> folder
    partitions: dict[str, list[str]]  # partitioned table -> sorted partition values
    fingerprint: str  # sha256 over every landed file's path and bytes

    def new_partitions(self, previous: dict[str, list[str]] | None) -> dict[str, list[str]]:
        """Partitions that were not in `previous` (a published run's `partitions`)."""
        previous = previous or {}
        return {
            table: sorted(set(values) - set(previous.get(table, [])))
            for table, values in self.partitions.items()
        }


def _is_partitioned(folder: Path) -> bool:
    return any(child.is_dir() and child.name.startswith(PARTITION_PREFIX) for child in folder.iterdir())


def _fingerprint(raw_dir: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(raw_dir)).encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def scan_landing(raw_dir: Path) -> Landing:
    """Tables (one folder each) and partitions in `raw_dir`, and the fingerprint of its files."""
    folders = sorted(p for p in raw_dir.iterdir() if p.is_dir()) if raw_dir.is_dir() else []
    tables = {folder.name: folder for folder in folders}
    partitions = {
        name: sorted(p.name.removeprefix(PARTITION_PREFIX) for p in folder.iterdir() if p.is_dir())
        for name, folder in tables.items()
        if _is_partitioned(folder)
    }
    files = sorted(p for folder in folders for p in folder.rglob("*.parquet"))
    return Landing(tables=tables, partitions=partitions, fingerprint=_fingerprint(raw_dir, files))


def read_table(folder: Path) -> pd.DataFrame:
    """A landed table as the dbt sources see it (partition folders become a text column)."""
    partitioned = _is_partitioned(folder)
    pattern = str(folder / ("*/*.parquet" if partitioned else "*.parquet"))
    with duckdb.connect() as connection:
        return connection.sql(
            "select * from read_parquet(?, hive_partitioning = ?, hive_types_autocast = false)",
            params=[pattern, partitioned],
        ).df()
