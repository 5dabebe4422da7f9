"""The fit step's only contact with the warehouse: read its input relations, write its results.

Everything engine-specific about the fit lives here, so another engine needs only a new branch
in `read_relation` and `write_results`; the rest of the step works on pandas and numpy.
DuckDB: dbt-duckdb keeps the database open in this process when the fit runs inside
`build_warehouse`, and a second connection works only with the same (default) configuration.
Spark: through the SparkSession dbt-spark left running in this process (or one opened on the same
metastore), see retention_warehouse.spark.tables.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from retention_warehouse.settings import Settings
from retention_warehouse.spark import tables as spark_tables

FIT_SCHEMA = "clv_fit"
FITS_TABLE = f"{FIT_SCHEMA}.model_fits"
SCORES_TABLE = f"{FIT_SCHEMA}.bgnbd_scores"

FITS_COLUMNS = pa.schema([
    ("run_id", pa.string()),
    ("model_name", pa.string()),
    ("r", pa.float64()),
    ("alpha", pa.float64()),
    ("a", pa.float64()),
    ("b", pa.float64()),
    ("p", pa.float64()),
    ("q", pa.float64()),
    ("gamma", pa.float64()),
    ("log_likelihood", pa.float64()),
    ("customers", pa.int64()),
    ("statistics_groups", pa.int64()),
    ("converged", pa.bool_()),
    ("iterations", pa.int64()),
    ("message", pa.string()),
    ("calibration_end_date", pa.date32()),
    ("time_unit", pa.string()),
    ("time_unit_days", pa.int64()),
    ("horizon_days", pa.int64()),
    ("discount_rate", pa.float64()),
    ("discount_period_days", pa.int64()),
    ("fitted_at", pa.timestamp("us")),
])


def _on_spark(settings: Settings) -> bool:
    # Every other target of the profile is Spark; spark_tables rejects one it cannot reach.
    return settings.target != "duckdb"


def read_relation(settings: Settings, relation: str) -> pd.DataFrame:
    """All rows of a dbt relation given as `schema.name`, sorted on every column: the fit's
    floating-point sums, and so its iteration count, would otherwise depend on the engine's scan
    order (DuckDB and Spark return the same statistics in different orders)."""
    if _on_spark(settings):
        frame = spark_tables.read_frame(settings, relation)
    else:
        with duckdb.connect(str(settings.warehouse_path)) as connection:
            frame = connection.sql(f"select * from {relation}").df()
    return frame.sort_values(list(frame.columns), ignore_index=True)


def write_results(settings: Settings, fits: list[dict], scores: pd.DataFrame | None) -> None:
    """Append `fits` (one dict per model, FITS_COLUMNS keys) to the fit history and, when given,
    replace the scores table, in one transaction."""
    fit_rows = pa.Table.from_pylist(fits, schema=FITS_COLUMNS)  # None -> NULL, not NaN
    if _on_spark(settings):  # no transactions on Spark: the history first, then the scores
        spark_tables.write_arrow(settings, FITS_TABLE, fit_rows, replace=False)
        if scores is not None:
            score_rows = pa.Table.from_pandas(scores, preserve_index=False)
            spark_tables.write_arrow(settings, SCORES_TABLE, score_rows, replace=True)
        return
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("begin transaction")
        connection.execute(f"create schema if not exists {FIT_SCHEMA}")
        connection.execute(f"create table if not exists {FITS_TABLE} as select * from fit_rows limit 0")
        connection.execute(f"insert into {FITS_TABLE} by name select * from fit_rows")
        if scores is not None:
            score_rows = pa.Table.from_pandas(scores, preserve_index=False)
            connection.execute(f"create or replace table {SCORES_TABLE} as select * from score_rows")
        connection.execute("commit")
