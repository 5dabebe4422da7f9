"""A plain `dbt build` works on a fresh warehouse: the tables the Python fit steps write exist
(empty) from dbt's on-run-start, with the column types their source YAML declares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import isolated_settings, run_cli

from retention_warehouse.clv import warehouse_io
from retention_warehouse.dbt_runner import dbt_args


@pytest.mark.warehouse
def test_plain_dbt_build_on_a_fresh_warehouse_builds_every_mart_without_predictions(tmp_path):
    settings = isolated_settings(tmp_path)
    run_cli(settings, "generate", "--orders", "3000", "--seed", "11")
    dbt = Path(sys.executable).with_name("dbt")
    build = subprocess.run([str(dbt), *dbt_args(["build"], settings)], env={**os.environ, **settings.environment()},
                           check=False, capture_output=True, text=True)

    assert build.returncode == 0, build.stdout[-3000:]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as warehouse:
        customers, predicted = warehouse.execute(
            "select count(*), count(predicted_clv_base) from marts.fct_customer_clv").fetchone()
        fits, = warehouse.execute("select count(*) from marts.fct_clv_model_fit").fetchone()
    assert customers > 500 and predicted == 0 and fits == 0


# The source YAML's types as Arrow writes them.
ARROW_TYPES = {"string": pa.string(), "double": pa.float64(), "bigint": pa.int64(), "boolean": pa.bool_(),
               "date": pa.date32(), "timestamp": pa.timestamp("us")}


def _declared_fit_types(settings) -> dict[tuple[str, str], str]:
    manifest = json.loads((settings.target_path / "manifest.json").read_text())
    return {
        (source["name"], column["name"]): column["data_type"]
        for source in manifest["sources"].values() if source["source_name"] == "clv_fit"
        for column in source["columns"].values()
    }


def test_the_fit_steps_write_the_columns_their_source_yaml_declares(demo_warehouse):
    """The Arrow schemas of the tables the fit steps append to or replace, against the YAML."""
    declared = _declared_fit_types(demo_warehouse)
    for table, schema in ((warehouse_io.FITS_TABLE, warehouse_io.FITS_COLUMNS),
                          (warehouse_io.CHURN_FITS_TABLE, warehouse_io.CHURN_FITS_COLUMNS),
                          (warehouse_io.CHURN_SCORES_TABLE, warehouse_io.CHURN_SCORES_COLUMNS),
                          (warehouse_io.CHURN_CALIBRATION_TABLE, warehouse_io.CHURN_CALIBRATION_COLUMNS)):
        name = table.split(".")[1]
        in_yaml = {column: ARROW_TYPES[kind] for (source, column), kind in declared.items() if source == name}
        # Dictionary-encoded text (the churn step's top features) is stored as text.
        written = {field.name: field.type.value_type if pa.types.is_dictionary(field.type) else field.type
                   for field in schema}
        assert written == in_yaml, table


def test_fit_tables_have_the_types_their_source_yaml_declares(demo_warehouse):
    """After `retention-warehouse build`, in the warehouse; bgnbd_scores, written from a pandas
    frame, is only checked here."""
    declared = _declared_fit_types(demo_warehouse)
    with duckdb.connect(str(demo_warehouse.warehouse_path), read_only=True) as warehouse:
        stored = {(table, column): kind for table, column, kind in warehouse.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = 'clv_fit'"
        ).fetchall()}
        expected = {key: warehouse.execute(f"select typeof(cast(null as {kind}))").fetchone()[0]
                    for key, kind in declared.items()}

    assert len(declared) == 62
    assert stored == expected
