"""Publish a staged serving version to PostgreSQL, for BI tools that speak its protocol.

Each version is loaded into a schema of its own (`<schema>__<version>`) with COPY, audited (row
counts against the version's manifest) and granted to the reader role while no BI query sees it.
One transaction then renames the served schema away and the new one into its place. A rename takes
no lock that a reader holds, so an open BI session never blocks the publish, and every statement
resolves `<schema>.<table>` either before or after the commit: it reads the old version or the
new one, never a mix. Retired versions are dropped afterwards, each only if no session still reads
it (a short lock timeout; a busy one is dropped by a later publish).
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import LiteralString, cast

import duckdb
import psycopg
import pyarrow.csv as pa_csv
from psycopg import sql

from retention_warehouse.orchestration.publish import BUILD_INFO_TABLE

BATCH_ROWS = 200_000
RETIRED_MARKER = "__retired__"
DROP_LOCK_TIMEOUT = "2s"
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,40}")
# DuckDB column types of the served file -> PostgreSQL. DECIMAL keeps its precision and scale.
TYPES = {
    "BOOLEAN": "boolean", "TINYINT": "smallint", "SMALLINT": "smallint", "INTEGER": "integer",
    "BIGINT": "bigint", "FLOAT": "real", "DOUBLE": "double precision", "VARCHAR": "text",
    "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


class PostgresServingError(RuntimeError):
    """The PostgreSQL target cannot take this version; the message says which check failed."""


@dataclass(frozen=True)
class PostgresTarget:
    dsn: str
    schema: str = "marts"
    reader_role: str = "bi_reader"

    @classmethod
    def from_env(cls) -> PostgresTarget | None:
        """RW_PG_DSN (libpq connection string or URL of the publishing role); None when unset."""
        dsn = os.environ.get("RW_PG_DSN")
        if not dsn:
            return None
        target = cls(dsn, os.environ.get("RW_PG_SCHEMA", cls.schema), os.environ.get("RW_PG_READER_ROLE", cls.reader_role))
        for name, value in (("RW_PG_SCHEMA", target.schema), ("RW_PG_READER_ROLE", target.reader_role)):
            if not IDENTIFIER.fullmatch(value):
                raise PostgresServingError(f"{name}={value!r}: use lowercase letters, digits and _ (at most 41)")
        return target

    def version_schema(self, version: str) -> str:
        return f"{self.schema}__{version.lower()}"


def require_reachable(target: PostgresTarget) -> None:
    """Fail before the build, in one line, when the publish target cannot be reached."""
    try:
        with psycopg.connect(target.dsn, connect_timeout=10) as connection:
            connection.execute("select 1")
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__  # libpq's lines name host and port
        raise PostgresServingError(f"PostgreSQL target (RW_PG_DSN) unreachable: {reason}") from None


def postgres_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("DECIMAL"):
        return duckdb_type.lower().replace("decimal", "numeric")
    try:
        return TYPES[duckdb_type]
    except KeyError:
        raise PostgresServingError(f"no PostgreSQL type for the served column type {duckdb_type}") from None


def _tables(served: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = served.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where schema_name = 'main' and database_name = current_database() order by table_name, column_index"
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, []).append((column, kind))
    return tables


def _copy(connection: psycopg.Connection, served: duckdb.DuckDBPyConnection, schema: str, table: str,
          columns: list[tuple[str, str]]) -> None:
    """Stream the table as CSV into COPY: an unquoted empty field is NULL, a quoted one ''."""
    target = sql.Identifier(schema, table)
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    connection.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(cast(LiteralString, postgres_type(kind))))
        for name, kind in columns)))  # a type name from the fixed DuckDB -> PostgreSQL map
    reader = served.sql(f'select * from main."{table}"').to_arrow_reader(BATCH_ROWS)
    options = pa_csv.WriteOptions(include_header=False)
    with connection.cursor().copy(sql.SQL("copy {} ({}) from stdin (format csv)").format(target, names)) as copy:
        for batch in reader:
            buffer = io.BytesIO()
            pa_csv.write_csv(batch, buffer, options)
            copy.write(buffer.getbuffer())


def _copy_comments(connection: psycopg.Connection, served: duckdb.DuckDBPyConnection, schema: str) -> None:
    """The served file's table and column comments (dbt's descriptions), on the loaded tables."""
    for table, comment in served.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'main' "
        "and database_name = current_database() and comment is not null"
    ).fetchall():
        connection.execute(sql.SQL("comment on table {} is {}").format(sql.Identifier(schema, table), sql.Literal(comment)))
    for table, column, comment in served.execute(
        "select table_name, column_name, comment from duckdb_columns() where schema_name = 'main' "
        "and database_name = current_database() and comment is not null"
    ).fetchall():
        connection.execute(sql.SQL("comment on column {} is {}").format(
            sql.Identifier(schema, table, column), sql.Literal(comment)))


def _ensure_reader(connection: psycopg.Connection, role: str) -> None:
    """The reader may connect and read the served schema; nothing else in this database. The
    password (RW_PG_READER_PASSWORD) is set only when given, so none is ever in the repo."""
    exists = connection.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
    if not exists:
        connection.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
    if password := os.environ.get("RW_PG_READER_PASSWORD"):
        connection.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(role), sql.Literal(password)))
    database = connection.execute("select current_database()").fetchall()[0][0]
    connection.execute(sql.SQL("revoke all on database {} from public").format(sql.Identifier(database)))
    connection.execute(sql.SQL("grant connect on database {} to {}").format(
        sql.Identifier(database), sql.Identifier(role)))
    connection.execute("revoke all on schema public from public")


def load_version(target: PostgresTarget, served_file: Path, version: str, row_counts: dict[str, int]) -> str:
    """Load every table of the served DuckDB file into the version's own schema, comment, audit
    and grant it; returns the schema. Nothing a reader sees changes."""
    schema = target.version_schema(version)
    with duckdb.connect(str(served_file), read_only=True) as served, psycopg.connect(target.dsn) as connection:
        tables = _tables(served)
        connection.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        for table, columns in tables.items():
            _copy(connection, served, schema, table, columns)
        _copy_comments(connection, served, schema)
        for table, expected in row_counts.items():
            loaded = connection.execute(sql.SQL("select count(*) from {}").format(
                sql.Identifier(schema, table))).fetchall()[0][0]
            if loaded != expected:
                raise PostgresServingError(f"{schema}.{table}: {loaded} rows loaded, the version has {expected}")
        loaded_version = connection.execute(sql.SQL("select version from {}").format(
            sql.Identifier(schema, BUILD_INFO_TABLE))).fetchall()
        if loaded_version != [(version,)]:
            raise PostgresServingError(f"{schema}.{BUILD_INFO_TABLE} holds {loaded_version}, not version {version}")
        _ensure_reader(connection, target.reader_role)
        connection.execute(sql.SQL("grant usage on schema {} to {}").format(
            sql.Identifier(schema), sql.Identifier(target.reader_role)))
        connection.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
            sql.Identifier(schema), sql.Identifier(target.reader_role)))
    return schema


def switch(target: PostgresTarget, version: str) -> None:
    """Serve the loaded version: one transaction of two renames, then drop retired versions."""
    with psycopg.connect(target.dsn) as connection:
        served = connection.execute(
            "select 1 from pg_namespace where nspname = %s", [target.schema]).fetchone()
        if served:
            retired = f"{target.schema}{RETIRED_MARKER}{version.lower()}"
            connection.execute(sql.SQL("alter schema {} rename to {}").format(
                sql.Identifier(target.schema), sql.Identifier(retired)))
        connection.execute(sql.SQL("alter schema {} rename to {}").format(
            sql.Identifier(target.version_schema(version)), sql.Identifier(target.schema)))
    drop_retired(target)


def drop_retired(target: PostgresTarget) -> list[str]:
    """Drop retired versions and loads of failed runs that no session reads; returns the dropped."""
    dropped = []
    with psycopg.connect(target.dsn, autocommit=True) as connection:
        names = [row[0] for row in connection.execute(
            "select nspname from pg_namespace where nspname like %s", [f"{target.schema}\\_\\_%"])]
        for name in names:
            try:
                with connection.transaction():
                    connection.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(DROP_LOCK_TIMEOUT)))
                    connection.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(name)))
                dropped.append(name)
            except psycopg.errors.LockNotAvailable:
                continue
    return dropped
