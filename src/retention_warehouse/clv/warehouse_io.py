"""The fit step's only contact with the warehouse: read its input relations, write its results.

Everything engine-specific about the fit lives here, so another engine needs only a new branch
in `read_relation` and `write_results`; the rest of the step works on pandas and numpy.
DuckDB: dbt-duckdb keeps the database open in this process when the fit runs inside
`build_models`, and a second connection works only with the same (default) configuration.
Spark: through the SparkSession dbt-spark left running in this process (or one opened on the same
metastore), see retention_warehouse.spark.tables.
"""

from __future__ import annotations

from collections.abc import Iterator

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


CHURN_FITS_TABLE = f"{FIT_SCHEMA}.churn_model_fits"
CHURN_SCORES_TABLE = f"{FIT_SCHEMA}.churn_scores"
CHURN_CALIBRATION_TABLE = f"{FIT_SCHEMA}.churn_calibration"
CHURN_FITS_COLUMNS = pa.schema([
    ("run_id", pa.string()),
    ("model_name", pa.string()),
    ("analysis_date", pa.date32()),
    ("horizon_days", pa.int64()),
    ("closed_snapshots", pa.int64()),
    ("train_snapshots", pa.string()),
    ("validation_snapshot", pa.date32()),
    ("training_rows", pa.int64()),
    ("validation_rows", pa.int64()),
    ("validation_auc", pa.float64()),
    ("validation_brier", pa.float64()),
    ("validation_calibration_error", pa.float64()),
    ("validation_top_decile_lift", pa.float64()),
    ("validation_base_rate", pa.float64()),
    ("features", pa.string()),
    ("coefficients", pa.string()),
    ("converged", pa.bool_()),
    ("reason", pa.string()),
])
CHURN_SCORES_COLUMNS = pa.schema([
    ("run_id", pa.string()),
    ("model_role", pa.string()),
    ("customer_id", pa.string()),
    ("snapshot_date", pa.date32()),
    ("churn_probability", pa.float64()),
    ("top_churn_features", pa.dictionary(pa.int32(), pa.string())),
])
CHURN_CALIBRATION_COLUMNS = pa.schema([
    ("run_id", pa.string()),
    ("decile", pa.int64()),
    ("customers", pa.int64()),
    ("mean_predicted", pa.float64()),
    ("observed_rate", pa.float64()),
    ("lift", pa.float64()),
])


def _on_spark(settings: Settings) -> bool:
    # Every other target of the profile is Spark; spark_tables rejects one it cannot reach.
    return settings.target != "duckdb"


def _select(columns: list[str] | None, relation: str, flag: str | None) -> str:
    return f"select {', '.join(columns) if columns else '*'} from {relation}" + (f" where {flag}" if flag else "")


def read_relation(settings: Settings, relation: str, columns: list[str] | None = None,
                  key: list[str] | None = None, flag: str | None = None) -> pd.DataFrame:
    """All rows of a dbt relation given as `schema.name` (only `columns`, and only rows whose
    boolean column `flag` is true, if given), sorted on `key` (a unique key; default every column):
    the fits' floating-point sums, and so their iteration counts, would otherwise depend on the
    engine's scan order (DuckDB and Spark return the same rows in different orders)."""
    if _on_spark(settings):
        frame = spark_tables.read_frame(settings, relation)
        frame = frame[frame[flag].astype(bool)] if flag else frame
        frame = frame[columns] if columns else frame
    else:
        with duckdb.connect(str(settings.warehouse_path)) as connection:
            frame = connection.sql(_select(columns, relation, flag)).df()
    return frame.sort_values(key or list(frame.columns), ignore_index=True)


def read_batches(settings: Settings, relation: str, flag: str, batch_rows: int) -> Iterator[pa.Table]:
    """The rows of `relation` whose boolean column `flag` is true, at most `batch_rows` at a time,
    in no particular order: for steps that treat each row on its own and must not hold them all.
    DuckDB streams them; Spark's reader has no stream, so its rows are read at once and sliced."""
    if _on_spark(settings):
        rows = pa.Table.from_pandas(read_relation(settings, relation, flag=flag), preserve_index=False)
        yield from (rows.slice(start, batch_rows) for start in range(0, rows.num_rows, batch_rows))
        return
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        reader = connection.sql(_select(None, relation, flag)).to_arrow_reader(batch_rows)
        for batch in reader:
            yield pa.Table.from_batches([batch])


def _write(settings: Settings, appends: dict[str, pa.Table], replaces: dict[str, pa.Table]) -> None:
    """Append rows to history tables and replace result tables; one transaction on DuckDB (on
    Spark, which has none, the histories are written first)."""
    if _on_spark(settings):
        for table, rows in appends.items():
            spark_tables.write_arrow(settings, table, rows, replace=False)
        for table, rows in replaces.items():
            spark_tables.write_arrow(settings, table, rows, replace=True)
        return
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("begin transaction")
        connection.execute(f"create schema if not exists {FIT_SCHEMA}")
        for table, rows in appends.items():
            connection.register("incoming", rows)
            connection.execute(f"create table if not exists {table} as select * from incoming limit 0")
            connection.execute(f"insert into {table} by name select * from incoming")
        for table, rows in replaces.items():
            connection.register("incoming", rows)
            connection.execute(f"create or replace table {table} as select * from incoming")
        connection.unregister("incoming")
        connection.execute("commit")


def write_results(settings: Settings, fits: list[dict], scores: pd.DataFrame | None) -> None:
    """Append `fits` (one dict per model, FITS_COLUMNS keys) to the fit history and, when given,
    replace the scores table."""
    fit_rows = pa.Table.from_pylist(fits, schema=FITS_COLUMNS)  # None -> NULL, not NaN
    replaces = {} if scores is None else {SCORES_TABLE: pa.Table.from_pandas(scores, preserve_index=False)}
    _write(settings, {FITS_TABLE: fit_rows}, replaces)


def write_churn_results(settings: Settings, fit: dict, scores: pa.Table, calibration: pa.Table | None) -> None:
    """Append the churn fit to its history; replace the current scores and validation deciles
    (none after a fallback fit)."""
    fit_rows = pa.Table.from_pylist([fit], schema=CHURN_FITS_COLUMNS)
    deciles = CHURN_CALIBRATION_COLUMNS.empty_table() if calibration is None else calibration.select(
        CHURN_CALIBRATION_COLUMNS.names).cast(CHURN_CALIBRATION_COLUMNS)
    _write(settings, {CHURN_FITS_TABLE: fit_rows},
           {CHURN_SCORES_TABLE: scores.cast(CHURN_SCORES_COLUMNS), CHURN_CALIBRATION_TABLE: deciles})
