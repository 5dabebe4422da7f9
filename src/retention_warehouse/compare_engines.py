"""`retention-warehouse compare-engines`: build the same demo data on DuckDB and on Spark and
compare every mart, and every seed as loaded, row by row.

Rules, by the column's type in the DuckDB table:
- keys: the table's primary key (the column with a `unique` test; all columns for a seed without
  one); both engines must produce the same set of keys and the same row count;
- decimals are money, stored in cents: equal to the cent;
- floating-point columns (rates, ratios, model outputs) agree within FLOAT_REL_TOL relative or
  FLOAT_ABS_TOL absolute: the engines sum and divide in different orders, and model outputs
  inherit those last-bit differences through the fit;
- everything else (integers, text, booleans, dates, timestamps) is equal exactly;
- nulls match only nulls.
Run metadata (the fit run's id and time) differs between any two builds and is not compared.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa

from retention_warehouse.settings import Settings

COMPARED_SCHEMAS = ("seeds", "marts")
FLOAT_REL_TOL = 1e-6
FLOAT_ABS_TOL = 1e-9
CENT = Decimal("0.01")
# Columns that identify a fit run (an id made from its start time, its finish time).
RUN_METADATA = frozenset({"run_id", "fit_id", "fit_run_id", "fitted_at"})
# Marts whose primary key is run metadata: within one run they are keyed by these columns.
RUN_SCOPED_KEYS = {
    "fct_clv_model_fit": ("model_name",),
    "fct_churn_model_fit": ("model_name",),
    "fct_churn_model_calibration": ("decile",),
}
MAX_REPORTED = 5


@dataclass
class TableComparison:
    table: str
    key: tuple[str, ...]
    duckdb_rows: int
    spark_rows: int
    only_in_duckdb: list = field(default_factory=list)
    only_in_spark: list = field(default_factory=list)
    column_mismatch: list[str] = field(default_factory=list)
    value_mismatches: dict[str, list] = field(default_factory=dict)
    max_relative_difference: float = 0.0  # largest |a - b| / max(|a|, |b|) over float columns

    @property
    def equal(self) -> bool:
        return self.duckdb_rows == self.spark_rows and not (
            self.only_in_duckdb or self.only_in_spark or self.column_mismatch or self.value_mismatches
        )


def _kind(data_type: pa.DataType) -> str:
    if pa.types.is_decimal(data_type):
        return "money"
    if pa.types.is_floating(data_type):
        return "float"
    return "exact"


def _compare_floats(left: float, right: float) -> tuple[bool, float]:
    """(within tolerance, relative difference) of two floats; NaN equals only NaN."""
    if math.isnan(left) or math.isnan(right) or math.isinf(left) or math.isinf(right):
        same = (math.isnan(left) and math.isnan(right)) or left == right
        return same, 0.0 if same else math.inf
    scale = max(abs(left), abs(right))
    relative = abs(left - right) / scale if scale else 0.0
    return math.isclose(left, right, rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL), relative


def _compare_values(kind: str, left, right) -> tuple[bool, float]:
    """(equal under the rules, relative difference) of two non-null values."""
    if kind == "money":
        return Decimal(left).quantize(CENT) == Decimal(right).quantize(CENT), 0.0
    if kind == "float":
        return _compare_floats(float(left), float(right))
    return left == right, 0.0


def _rows_by_key(table: pa.Table, key: tuple[str, ...]) -> dict[tuple, dict]:
    return {tuple(row[column] for column in key): row for row in table.to_pylist()}


def compare_tables(table: str, key: tuple[str, ...], duckdb_rows: pa.Table, spark_rows: pa.Table) -> TableComparison:
    """Compare one table's rows from both engines (timestamps as naive UTC on both sides)."""
    result = TableComparison(table, key, duckdb_rows.num_rows, spark_rows.num_rows)
    duckdb_columns = set(duckdb_rows.column_names) - RUN_METADATA
    spark_columns = set(spark_rows.column_names) - RUN_METADATA
    result.column_mismatch = sorted(duckdb_columns ^ spark_columns)
    left, right = _rows_by_key(duckdb_rows, key), _rows_by_key(spark_rows, key)
    result.only_in_duckdb = sorted(set(left) - set(right), key=str)[:MAX_REPORTED]
    result.only_in_spark = sorted(set(right) - set(left), key=str)[:MAX_REPORTED]
    kinds = {name: _kind(duckdb_rows.schema.field(name).type) for name in duckdb_columns & spark_columns}
    for row_key in sorted(set(left) & set(right), key=str):
        for column, kind in sorted(kinds.items()):
            duckdb_value, spark_value = left[row_key][column], right[row_key][column]
            if duckdb_value is None or spark_value is None:
                equal, difference = duckdb_value is None and spark_value is None, 0.0
            else:
                equal, difference = _compare_values(kind, duckdb_value, spark_value)
            result.max_relative_difference = max(result.max_relative_difference, difference)
            if not equal:
                result.value_mismatches.setdefault(column, []).append((row_key, duckdb_value, spark_value))
    return result


def primary_keys(manifest_path: Path) -> dict[str, tuple[str, ...]]:
    """Model or seed name -> primary-key column, read from the `unique` tests in dbt's manifest."""
    manifest = json.loads(manifest_path.read_text())
    keys = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        attached = node.get("attached_node") or ""
        if node["resource_type"] == "test" and metadata.get("name") == "unique" and attached.startswith(("model.", "seed.")):
            keys[attached.split(".")[-1]] = (node["column_name"],)
    return keys


def _duckdb_tables(warehouse_path: Path, schema: str) -> dict[str, pa.Table]:
    # A plain connect: dbt-duckdb may still hold the file open in this process.
    with duckdb.connect(str(warehouse_path)) as connection:
        names = [row[0] for row in connection.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()]
        return {name: connection.sql(f"select * from {schema}.{name}").to_arrow_table() for name in names}


def _spark_tables(settings: Settings, schema: str) -> dict[str, pa.Table]:
    from retention_warehouse.spark.session import spark_session
    from retention_warehouse.spark.tables import read_arrow

    rows = spark_session(settings).sql(f"show tables in {schema}").collect()
    return {row.tableName: read_arrow(settings, f"{schema}.{row.tableName}") for row in rows if not row.isTemporary}


def compare_schema(duckdb_settings: Settings, spark_settings: Settings, schema: str) -> list[TableComparison]:
    """Compare every table of `schema` in two built warehouses; a table missing on one side is
    compared as an empty table there."""
    keys = {**primary_keys(duckdb_settings.target_path / "manifest.json"), **RUN_SCOPED_KEYS}
    on_duckdb = _duckdb_tables(duckdb_settings.warehouse_path, schema)
    on_spark = _spark_tables(spark_settings, schema)
    results = []
    for name in sorted(set(on_duckdb) | set(on_spark)):
        present = on_duckdb[name] if name in on_duckdb else on_spark[name]
        empty = present.schema.empty_table()
        key = keys.get(name, tuple(present.column_names))
        results.append(compare_tables(f"{schema}.{name}", key, on_duckdb.get(name, empty), on_spark.get(name, empty)))
    return results


def engine_settings(work_dir: Path) -> tuple[Settings, Settings]:
    """DuckDB and Spark settings sharing one landing folder under `work_dir`."""
    base = Settings.from_env().with_overrides(
        raw_dir=work_dir / "raw", serving_dir=work_dir / "serving", spark_dir=work_dir / "spark"
    )
    on_duckdb = base.with_overrides(
        target="duckdb", warehouse_path=work_dir / "warehouse.duckdb", target_path=work_dir / "target-duckdb"
    )
    on_spark = base.with_overrides(target="spark", target_path=work_dir / "target-spark")
    return on_duckdb, on_spark


def build_both(work_dir: Path, orders: int, seed: int) -> tuple[Settings, Settings, dict[str, float]]:
    """Generate demo data and build it on both engines; returns the settings and build seconds."""
    from retention_warehouse.build import build_models
    from retention_warehouse.generate import generate

    on_duckdb, on_spark = engine_settings(work_dir)
    generate(on_duckdb.raw_dir, orders=orders, seed=seed)
    seconds = {}
    for settings in (on_duckdb, on_spark):
        started = time.perf_counter()
        build_models(settings)
        seconds[settings.target] = time.perf_counter() - started
    return on_duckdb, on_spark, seconds


def _describe(result: TableComparison) -> list[str]:
    lines = []
    if result.column_mismatch:
        lines.append(f"  columns on one engine only: {', '.join(result.column_mismatch)}")
    if result.only_in_duckdb or result.only_in_spark:
        lines.append(f"  keys only in duckdb: {result.only_in_duckdb}; only in spark: {result.only_in_spark}")
    for column, mismatches in result.value_mismatches.items():
        shown = "; ".join(f"{key}: {left!r} vs {right!r}" for key, left, right in mismatches[:MAX_REPORTED])
        lines.append(f"  {column}: {len(mismatches)} rows differ ({shown})")
    return lines


def report(results: list[TableComparison], seconds: dict[str, float]) -> str:
    lines = [
        (f"tolerance: floats {FLOAT_REL_TOL:g} relative or {FLOAT_ABS_TOL:g} absolute; money to the cent; "
         "keys, counts and other columns exact"),
        "build seconds: " + ", ".join(f"{engine} {value:.0f}" for engine, value in seconds.items()),
    ]
    for result in results:
        status = "equal" if result.equal else "DIFFERENT"
        lines.append(
            f"{result.table:<46} {status:<9} rows duckdb={result.duckdb_rows} spark={result.spark_rows} "
            f"max relative float difference={result.max_relative_difference:.1e}"
        )
        lines.extend(_describe(result))
    return "\n".join(lines)


def compare_engines(orders: int, seed: int, work_dir: Path | None = None) -> tuple[list[TableComparison], str]:
    """Build on both engines in `work_dir` (a fresh temporary folder when None, removed afterwards)
    and compare; returns the comparisons and a printable report."""
    folder = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="rw-compare-"))
    shutil.rmtree(folder / "raw", ignore_errors=True)
    shutil.rmtree(folder / "spark", ignore_errors=True)  # with the fit history of an earlier run
    (folder / "warehouse.duckdb").unlink(missing_ok=True)
    environment = dict(os.environ)  # the builds export their settings; callers keep their own
    try:
        on_duckdb, on_spark, seconds = build_both(folder, orders, seed)
        results = [result for schema in COMPARED_SCHEMAS for result in compare_schema(on_duckdb, on_spark, schema)]
        return results, report(results, seconds)
    finally:
        os.environ.clear()
        os.environ.update(environment)
        if work_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
