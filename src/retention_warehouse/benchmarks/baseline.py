"""Runs the hand-written baseline script (baseline.sql) into a DuckDB file.

`python -m retention_warehouse.benchmarks.baseline --raw-dir ... --database ...` is what the
benchmark times in a child process, so that its memory is measured apart from the harness.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb

from retention_warehouse.settings import PROJECT_DIR

SCRIPT = Path(__file__).with_name("baseline.sql")
SEEDS_DIR = PROJECT_DIR / "seeds"


def run_baseline(
    raw_dir: Path, database: Path, temp_dir: Path | None = None, memory_limit: str | None = None,
) -> None:
    """Writes the baseline's tables into schema `baseline` of `database`."""
    connection = duckdb.connect(str(database))
    try:
        # The same limits as the dbt profile gets from RW_DUCKDB_MEMORY_LIMIT / _TEMP_DIR.
        if memory_limit:
            connection.execute(f"set memory_limit = '{memory_limit}'")
        if temp_dir:
            connection.execute(f"set temp_directory = '{temp_dir}'")
        if threads := os.environ.get("RW_DUCKDB_THREADS"):  # as register_landing_tables does
            connection.execute(f"set threads = {int(threads)}")
        connection.execute("set variable raw_dir = ?", [str(raw_dir)])
        connection.execute("set variable seeds_dir = ?", [str(SEEDS_DIR)])
        connection.execute(SCRIPT.read_text())
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw-dir", required=True, type=Path)
    parser.add_argument("--database", required=True, type=Path)
    parser.add_argument("--temp-dir", type=Path)
    parser.add_argument("--memory-limit")
    args = parser.parse_args(argv)
    run_baseline(args.raw_dir.resolve(), args.database, args.temp_dir, args.memory_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
