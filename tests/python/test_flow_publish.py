"""Atomic publication of marts to the serving folder (no Prefect, no dbt)."""

from __future__ import annotations

import struct

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import customers_build, stage_customers

from retention_warehouse.orchestration import publish

# DuckDB's file header: 8-byte checksum, magic "DUCK", then the storage version number.
# DuckDB 1.0 reads exactly storage version 64; DuckDB 2.0's default files are not readable by 1.x.
DUCKDB_1_0_STORAGE_NUMBER = 64


def _publish(connection, serving_dir) -> publish.StagedVersion:
    staged = stage_customers(connection, serving_dir)
    publish.publish(staged, serving_dir)
    return staged


def test_served_file_has_duckdb_1_0_storage_format_and_matches_parquet(tmp_path):
    connection = customers_build(tmp_path / "build.duckdb", [("a", 1), ("b", 2), ("c", 0)])
    staged = _publish(connection, tmp_path / "serving")

    header = (tmp_path / "serving" / "marts.duckdb").read_bytes()[:20]
    assert header[8:12] == b"DUCK"
    assert struct.unpack("<Q", header[12:20])[0] == DUCKDB_1_0_STORAGE_NUMBER
    with duckdb.connect(str(tmp_path / "serving" / "marts.duckdb"), read_only=True) as reader:
        assert reader.execute("select * from dim_customers").fetchall() == [("a", 1), ("b", 2), ("c", 0)]
    parquet = pq.read_table(tmp_path / "serving" / "parquet" / "dim_customers.parquet")
    assert str(parquet.schema.field("orders").type) == "int64"
    assert parquet.schema.field("orders").metadata == {b"description": b"Orders placed."}
    assert parquet.schema.metadata[b"description"] == b"One row per customer."
    with duckdb.connect(str(tmp_path / "serving" / "marts.duckdb"), read_only=True) as reader:
        assert reader.execute("select comment from duckdb_columns() where column_name = 'orders'").fetchone() == (
            "Orders placed.",)
    assert parquet.to_pylist() == [{"customer_id": "a", "orders": 1}, {"customer_id": "b", "orders": 2},
                                   {"customer_id": "c", "orders": 0}]
    assert staged.row_counts == {"dim_customers": 3}
    assert publish.current_manifest(tmp_path / "serving")["row_counts"] == {"dim_customers": 3}


def test_a_published_version_is_read_only_on_disk(tmp_path):
    staged = _publish(customers_build(tmp_path / "build.duckdb", [("a", 1)]), tmp_path / "serving")
    version = tmp_path / "serving" / "versions" / staged.version
    modes = {str(p.relative_to(version)): oct(p.stat().st_mode & 0o777) for p in [version, *version.rglob("*")]}
    assert modes == {".": "0o555", "marts.duckdb": "0o444", "manifest.json": "0o444", "parquet": "0o555",
                     "parquet/dim_customers.parquet": "0o444", "parquet/_build_info.parquet": "0o444"}
    with duckdb.connect(str(tmp_path / "serving" / "marts.duckdb"), read_only=True) as reader:
        assert reader.execute("select version from _build_info").fetchall() == [(staged.version,)]


def test_reader_holding_the_served_file_keeps_its_version_while_new_opens_see_the_new_one(tmp_path):
    serving = tmp_path / "serving"
    connection = customers_build(tmp_path / "build.duckdb", [("a", 1)])
    _publish(connection, serving)
    reader = duckdb.connect(str(serving / "marts.duckdb"), read_only=True)

    connection.execute("insert into marts.dim_customers values ('b', 5)")
    second = _publish(connection, serving)

    assert reader.execute("select count(*) from dim_customers").fetchone()[0] == 1
    with duckdb.connect(str(serving / "marts.duckdb"), read_only=True) as fresh:
        assert fresh.execute("select count(*) from dim_customers").fetchone()[0] == 2
    assert (serving / "current").resolve() == (serving / "versions" / second.version).resolve()
    reader.close()


def test_same_marts_give_byte_identical_parquet_whatever_the_row_order(tmp_path):
    rows = [(f"c{i}", i % 7) for i in range(500)]
    first = stage_customers(customers_build(tmp_path / "one.duckdb", rows), tmp_path / "serving")
    second = stage_customers(customers_build(tmp_path / "two.duckdb", rows[::-1]), tmp_path / "serving")
    assert first.parquet("dim_customers").read_bytes() == second.parquet("dim_customers").read_bytes()


def test_prune_keeps_the_newest_versions_and_drops_crash_leftovers(tmp_path):
    serving = tmp_path / "serving"
    connection = customers_build(tmp_path / "build.duckdb", [("a", 1)])
    versions = [_publish(connection, serving).version for _ in range(publish.KEEP_VERSIONS + 2)]
    leftover = serving / "versions" / f"{publish.STAGING_PREFIX}crashed"
    leftover.mkdir()

    publish.prune(serving)

    remaining = sorted(p.name for p in (serving / "versions").iterdir())
    assert remaining == versions[-publish.KEEP_VERSIONS:]
    assert (serving / "current").resolve().name == versions[-1]


def test_discarded_version_is_never_visible(tmp_path):
    serving = tmp_path / "serving"
    connection = customers_build(tmp_path / "build.duckdb", [("a", 1)])
    published = _publish(connection, serving)
    connection.execute("insert into marts.dim_customers values ('b', 5)")
    staged = stage_customers(connection, serving)

    publish.discard(staged)

    assert not staged.path.exists()
    assert publish.current_manifest(serving)["version"] == published.version
    with pytest.raises(FileNotFoundError):
        (serving / "versions" / staged.version).stat()
