"""Reading and writing warehouse tables on Spark for the Python steps, through Arrow: in this
process's SparkSession for the `session` method, over the Thrift server for `thrift`.

Arrow rather than pandas on the Spark side because pyspark's pandas conversion does not yet
support pandas 3. Spark timestamps are instants shown in the session zone (UTC, see the profile)
while DuckDB's and the fit's are naive UTC; Arrow keeps both as the same UTC epoch values, so a
cast between the zone-aware and the naive type converts them without shifting the clock.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa

from retention_warehouse.settings import Settings

from . import thrift
from .session import spark_session, target_profile


def _map_types(table: pa.Table, convert: Callable[[pa.DataType], pa.DataType | None]) -> pa.Table:
    for index, field in enumerate(table.schema):
        target = convert(field.type)
        if target is not None:
            table = table.set_column(index, pa.field(field.name, target), table.column(index).cast(target))
    return table


def _as_naive_utc(table: pa.Table) -> pa.Table:
    return _map_types(table, lambda kind: pa.timestamp(kind.unit) if pa.types.is_timestamp(kind) and kind.tz else None)


def _as_zoned_utc(table: pa.Table) -> pa.Table:
    # A naive Arrow timestamp would become Spark's TIMESTAMP_NTZ; the models expect TIMESTAMP.
    return _map_types(table, lambda kind: pa.timestamp(kind.unit, "UTC") if pa.types.is_timestamp(kind)
                      and not kind.tz else None)


def _decoded(table: pa.Table) -> pa.Table:
    # Spark has no dictionary-encoded columns: they are written as their values.
    return _map_types(table, lambda kind: kind.value_type if pa.types.is_dictionary(kind) else None)


def _thrift_profile(settings: Settings) -> dict | None:
    profile = target_profile(settings)
    return profile if profile["type"] == "spark" and profile.get("method") == "thrift" else None


def read_arrow(settings: Settings, relation: str) -> pa.Table:
    """All rows of `schema.name`, timestamps as naive UTC."""
    if profile := _thrift_profile(settings):
        return thrift.read_arrow(profile, relation)
    return _as_naive_utc(spark_session(settings).table(relation).toArrow())


def read_frame(settings: Settings, relation: str) -> pd.DataFrame:
    return read_arrow(settings, relation).to_pandas()


def write_arrow(settings: Settings, relation: str, rows: pa.Table, *, replace: bool) -> None:
    """Append `rows` to the Parquet table `schema.name` (created when missing, columns matched
    by name) or, with `replace`, replace the table. Spark has no multi-table transactions."""
    rows = _decoded(rows)
    if profile := _thrift_profile(settings):
        thrift.write_arrow(profile, relation, rows, replace=replace)
        return
    session = spark_session(settings)
    session.sql(f"create schema if not exists {relation.split('.')[0]}")
    frame = session.createDataFrame(_as_zoned_utc(rows))
    frame.write.format("parquet").mode("overwrite" if replace else "append").saveAsTable(relation)
