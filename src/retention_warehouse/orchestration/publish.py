"""Atomic publication of the marts to the serving folder read by BI tools.

Layout of the serving folder (RW_SERVING_DIR):

    marts.duckdb -> current/marts.duckdb    stable paths for BI clients
    parquet      -> current/parquet
    current      -> versions/<id>           swapped by one atomic rename
    versions/<id>/marts.duckdb              one table per mart, schema main, plus _build_info
    versions/<id>/parquet/<mart>.parquet    and parquet/_build_info.parquet
    versions/<id>/manifest.json             row counts, raw fingerprint, storage version
    versions/.staging-<id>/                 a version being written and validated

A new version is written completely and fsynced in a staging folder, validated there, renamed
into versions/ and made current by replacing the `current` symlink (rename(2) is atomic). A BI
client that holds an older marts.duckdb open keeps reading that file's inode; new opens see the
new version. Nothing in a published version is ever written again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import importlib.metadata
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from retention_warehouse.orchestration.marts import MARTS_SCHEMA, Mart

# DuckDB 2.0 writes storage version 999+, which DuckDB 1.x clients (most BI drivers) refuse.
# v1.0.0 (storage 64) is readable by every DuckDB from 0.10 on, including 1.x and 2.0.
SERVING_STORAGE_VERSION = "v1.0.0"
DUCKDB_FILE = "marts.duckdb"
PARQUET_DIR = "parquet"
MANIFEST_FILE = "manifest.json"
BUILD_INFO_TABLE = "_build_info"
BUILD_INFO_TYPES = {"published_at": "timestamp", "as_of_date": "date"}  # the other columns are text
LOCK_FILE = ".lock"
KEEP_VERSIONS = 3  # current plus two previous versions, for rollback by hand
STAGING_PREFIX = ".staging-"
READ_ONLY_FILE, READ_ONLY_FOLDER = 0o444, 0o555
PARQUET_BATCH_ROWS = 500_000


@dataclass(frozen=True)
class StagedVersion:
    path: Path
    version: str
    row_counts: dict[str, int]

    def parquet(self, mart: str) -> Path:
        return self.path / PARQUET_DIR / f"{mart}.parquet"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        _fsync(path)
    _fsync(root)


def _set_modes(root: Path, file_mode: int, folder_mode: int) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            os.chmod(path, folder_mode if path.is_dir() else file_mode)


def _literal(value: Path | str) -> str:
    """A path or a text (a dbt description) as a SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _comment(connection: duckdb.DuckDBPyConnection, mart: Mart) -> None:
    """dbt's descriptions as table and column comments, which BI tools show beside the names."""
    if mart.description:
        connection.execute(f"comment on table serving.main.{mart.name} is {_literal(mart.description)}")
    for column, text in mart.column_descriptions.items():
        if text:
            connection.execute(f'comment on column serving.main.{mart.name}."{column}" is {_literal(text)}')


def _write_parquet(connection: duckdb.DuckDBPyConnection, mart: Mart, path: Path) -> None:
    """The served table as Parquet, streamed in its stored (total) order, with dbt's descriptions
    as field metadata (`description`) and the table's as file metadata."""
    reader = connection.sql(f"select * from serving.main.{mart.name}").to_arrow_reader(PARQUET_BATCH_ROWS)
    fields = [
        field.with_metadata({"description": mart.column_descriptions[field.name]})
        if mart.column_descriptions.get(field.name) else field
        for field in reader.schema
    ]
    schema = pa.schema(fields, metadata={"description": mart.description} if mart.description else None)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))


def build_info(version: str, metadata: dict) -> dict:
    """The one row of every served copy's _build_info table: which version a reader is reading."""
    return {
        "version": version,
        "published_at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        "raw_fingerprint": metadata.get("raw_fingerprint"),
        "as_of_date": metadata.get("as_of_date"),
        "project_version": importlib.metadata.version("retention-warehouse"),
        "dbt_version": importlib.metadata.version("dbt-core"),
    }


def _write_build_info(connection: duckdb.DuckDBPyConnection, info: dict, parquet: Path) -> None:
    columns = ", ".join(f"${name}::{BUILD_INFO_TYPES.get(name, 'varchar')} as {name}" for name in info)
    connection.execute(f"create table serving.main.{BUILD_INFO_TABLE} as select {columns}", info)
    connection.execute(f"comment on table serving.main.{BUILD_INFO_TABLE} is "
                       f"{_literal('The served version: id, publication time (UTC), raw landing fingerprint, analysis date, project and dbt versions.')}")
    connection.execute(f"copy serving.main.{BUILD_INFO_TABLE} to {_literal(parquet)} (format parquet)")


def _replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` with one rename, so readers see either the old or the new target."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


class ServingError(RuntimeError):
    """The serving folder cannot take a run now; the message names it and says why."""


def require_writable(serving_dir: Path) -> None:
    """One clear line when the serving folder (or its parent) cannot be written."""
    try:
        serving_dir.mkdir(parents=True, exist_ok=True)
        probe = serving_dir / f".probe-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise ServingError(f"serving folder {serving_dir} is not writable: {error.strerror}") from None


def lock_holder(serving_dir: Path) -> str | None:
    """Who holds the run lock of `serving_dir` (from the lock file), or None when it is free."""
    path = serving_dir / LOCK_FILE
    if not path.exists():
        return None
    with path.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return handle.read().strip() or "another run"
    return None


@contextlib.contextmanager
def run_lock(serving_dir: Path):
    """One flow run at a time per serving folder (they also share the build database)."""
    serving_dir.mkdir(parents=True, exist_ok=True)
    with (serving_dir / LOCK_FILE).open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        handle.write(f"run pid {os.getpid()} (started {started})\n")
        handle.flush()
        yield


def current_manifest(serving_dir: Path) -> dict | None:
    """The manifest of the published version, or None before the first publication."""
    path = serving_dir / "current" / MANIFEST_FILE
    return json.loads(path.read_text()) if path.exists() else None


def stage(connection: duckdb.DuckDBPyConnection, marts: list[Mart], serving_dir: Path,
          metadata: dict) -> StagedVersion:
    """Copy every mart into a new version folder that no reader sees yet.

    Rows are written in a total order (ORDER BY ALL) so the same marts always give the same
    Parquet files, whichever thread order dbt used.
    """
    version = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = serving_dir / "versions" / f"{STAGING_PREFIX}{version}"
    (path / PARQUET_DIR).mkdir(parents=True)
    connection.execute(
        f"attach {_literal(path / DUCKDB_FILE)} as serving (storage_version '{SERVING_STORAGE_VERSION}')"
    )
    row_counts = {}
    try:
        for mart in marts:
            connection.execute(
                f"create table serving.main.{mart.name} as "
                f"select * from {MARTS_SCHEMA}.{mart.name} order by all"
            )
            _comment(connection, mart)
            _write_parquet(connection, mart, path / PARQUET_DIR / f"{mart.name}.parquet")
            row_counts[mart.name] = connection.execute(
                f"select count(*) from serving.main.{mart.name}"
            ).fetchall()[0][0]
        _write_build_info(connection, build_info(version, metadata), path / PARQUET_DIR / f"{BUILD_INFO_TABLE}.parquet")
    finally:
        connection.execute("detach serving")
    manifest = {
        "version": version,
        "storage_version": SERVING_STORAGE_VERSION,
        "row_counts": row_counts,
        **metadata,
    }
    (path / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
    return StagedVersion(path=path, version=version, row_counts=row_counts)


def discard(staged: StagedVersion) -> None:
    shutil.rmtree(staged.path, ignore_errors=True)


def publish(staged: StagedVersion, serving_dir: Path) -> Path:
    """Make a staged version current; returns its final folder.

    Every file is fsynced before the renames, so after a crash `current` never points at a
    version whose data is still only in the page cache. The version is made read-only on disk
    first (files 0444, folders 0555): nothing may change a version once readers can see it.
    """
    _fsync_tree(staged.path)
    _set_modes(staged.path, READ_ONLY_FILE, READ_ONLY_FOLDER)
    versions = serving_dir / "versions"
    final = versions / staged.version
    os.replace(staged.path, final)
    _fsync(versions)
    _replace_symlink(serving_dir / "current", f"versions/{staged.version}")
    for name in (DUCKDB_FILE, PARQUET_DIR):
        if not (serving_dir / name).is_symlink():
            _replace_symlink(serving_dir / name, f"current/{name}")
    _fsync(serving_dir)
    prune(serving_dir)
    return final


def prune(serving_dir: Path, keep: int = KEEP_VERSIONS) -> None:
    """Delete staging leftovers of crashed runs and all but the newest `keep` versions.

    Called under run_lock, so no staging folder can belong to a live run. Readers that still
    hold a deleted version's files open keep reading them (POSIX unlink semantics).
    """
    versions = serving_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    current = (serving_dir / "current").resolve()
    published = sorted(p for p in versions.iterdir() if not p.name.startswith("."))
    for old in [*versions.glob(f"{STAGING_PREFIX}*"), *(p for p in published[:-keep] if p.resolve() != current)]:
        _set_modes(old, 0o644, 0o755)  # a read-only folder's entries cannot be deleted
        shutil.rmtree(old, ignore_errors=True)
