"""Table I/O over a Spark Thrift server (the `spark_thrift` target), through PyHive as dbt-spark.

Thrift moves rows, not Arrow batches, so reads build Arrow columns from the fetched values and
writes send `insert ... values` statements with literals. Fine for the Python steps' tables
(thousands of rows); bulk data belongs in dbt models.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import closing
from decimal import Decimal

import pyarrow as pa

INSERT_BATCH_ROWS = 500
# PyHive type codes whose Python values need an explicit Arrow type; decimals infer their own.
_ARROW_TYPES = {
    "BOOLEAN_TYPE": pa.bool_(),
    "TINYINT_TYPE": pa.int8(),
    "SMALLINT_TYPE": pa.int16(),
    "INT_TYPE": pa.int32(),
    "BIGINT_TYPE": pa.int64(),
    "FLOAT_TYPE": pa.float32(),
    "DOUBLE_TYPE": pa.float64(),
    "STRING_TYPE": pa.string(),
    "DATE_TYPE": pa.date32(),
    "TIMESTAMP_TYPE": pa.timestamp("us"),
}


def _connect(profile: dict):
    from pyhive import hive

    return hive.connect(
        host=profile["host"], port=profile["port"], username=profile.get("user"),
        configuration=profile.get("server_side_parameters") or None,
    )


def _column(values: list, type_code: str) -> pa.Array:
    if type_code == "DATE_TYPE":  # PyHive returns dates as ISO text
        values = [None if value is None else dt.date.fromisoformat(value) for value in values]
    return pa.array(values, type=_ARROW_TYPES.get(type_code))


def read_arrow(profile: dict, relation: str) -> pa.Table:
    """All rows of `schema.name`; timestamps naive, as the server's (UTC) session shows them."""
    with closing(_connect(profile)) as connection, closing(connection.cursor()) as cursor:
        cursor.execute(f"select * from {relation}")
        rows = cursor.fetchall()
        description = cursor.description
    return pa.table({
        name.split(".")[-1]: _column([row[index] for row in rows], type_code)
        for index, (name, type_code, *_) in enumerate(description)
    })


def spark_type(data_type: pa.DataType) -> str:
    """The Spark SQL column type for an Arrow type of the Python steps' tables."""
    if pa.types.is_decimal(data_type):
        return f"decimal({data_type.precision}, {data_type.scale})"
    for test, name in (
        (pa.types.is_boolean, "boolean"), (pa.types.is_integer, "bigint"), (pa.types.is_floating, "double"),
        (pa.types.is_string, "string"), (pa.types.is_large_string, "string"), (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "timestamp"),
    ):
        if test(data_type):
            return name
    raise TypeError(f"no Spark column type for {data_type}")


def literal(value) -> str:
    """A Python value as a Spark SQL literal (strings escaped for Spark's backslash escapes)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"double('{value}')"
    if isinstance(value, dt.datetime):
        return f"timestamp'{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"date'{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def write_arrow(profile: dict, relation: str, rows: pa.Table, *, replace: bool) -> None:
    """Append `rows` to the Parquet table `schema.name` (created when missing) or replace it.
    Columns are inserted by name, so an existing table's column order does not matter."""
    columns = ", ".join(f"`{field.name}` {spark_type(field.type)}" for field in rows.schema)
    names = ", ".join(f"`{name}`" for name in rows.column_names)
    statements = [f"create schema if not exists {relation.split('.')[0]}"]
    if replace:
        statements.append(f"drop table if exists {relation}")
    statements.append(f"create table if not exists {relation} ({columns}) using parquet")
    records = rows.to_pylist()
    for start in range(0, len(records), INSERT_BATCH_ROWS):
        values = ",\n".join(
            "(" + ", ".join(literal(record[name]) for name in rows.column_names) + ")"
            for record in records[start:start + INSERT_BATCH_ROWS]
        )
        statements.append(f"insert into {relation} ({names}) values\n{values}")
    with closing(_connect(profile)) as connection, closing(connection.cursor()) as cursor:
        for statement in statements:
            cursor.execute(statement)
