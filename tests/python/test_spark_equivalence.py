"""The same demo data built on DuckDB and on Spark gives the same marts (and seeds as loaded).

The engine comparison builds everything on Spark once (a few minutes: Spark pays ~1 s per dbt
node), so it is marked `spark`; `pytest -m "not spark"` leaves it out. The comparator itself is
tested on hand-made tables, so a check that passes is known to be able to fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pyarrow as pa
import pytest

from retention_warehouse import compare_engines as compare
from retention_warehouse.dbt_runner import run_dbt
from retention_warehouse.settings import PROJECT_DIR

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

SPARK_ORDERS = 1_500
SPARK_SEED = 11


@pytest.fixture(scope="module")
def engine_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("engines")


@pytest.fixture(scope="module")
def engine_comparison(engine_dir):
    results, text = compare.compare_engines(SPARK_ORDERS, SPARK_SEED, engine_dir)
    print(text)  # shown by pytest -rA or on failure: the per-table report with timings
    return {result.table: result for result in results}, text


@pytest.mark.spark
def test_every_mart_and_seed_is_compared(engine_comparison):
    results, _ = engine_comparison
    marts = {f"marts.{path.stem}" for path in (PROJECT_DIR / "models" / "marts").rglob("*.sql")}
    seeds = {f"seeds.{path.stem}" for path in (PROJECT_DIR / "seeds").glob("*.csv")}
    assert set(results) == marts | seeds


@pytest.mark.spark
def test_every_compared_table_has_rows(engine_comparison):
    results, _ = engine_comparison
    empty = [name for name, result in results.items() if not (result.duckdb_rows and result.spark_rows)]
    assert not empty, f"empty on an engine, the comparison would prove nothing: {empty}"


@pytest.mark.spark
def test_spark_and_duckdb_marts_are_equal(engine_comparison):
    results, text = engine_comparison
    assert all(result.equal for result in results.values()), text


@pytest.mark.spark
def test_dbt_unit_tests_pass_on_spark(engine_comparison, engine_dir):
    """Builds leave unit tests to CI (build.DATA_ONLY); the Spark SQL of every unit-tested model
    is checked here, on the warehouse the comparison built."""
    _, on_spark = compare.engine_settings(engine_dir)
    environment = dict(os.environ)  # run_dbt exports the Spark settings
    try:
        run_dbt(["test", "--select", "test_type:unit"], on_spark)
    finally:
        os.environ.clear()
        os.environ.update(environment)
    manifest = json.loads((on_spark.target_path / "manifest.json").read_text())
    results = json.loads((on_spark.target_path / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert set(statuses) == set(manifest["unit_tests"]) and len(statuses) >= 20
    assert set(statuses.values()) == {"pass"}, statuses


def _table(**columns) -> pa.Table:
    return pa.table(columns)


def _compare(duckdb_columns: dict, spark_columns: dict, key=("id",)) -> compare.TableComparison:
    return compare.compare_tables("t", key, _table(**duckdb_columns), _table(**spark_columns))


MONEY = pa.decimal128(18, 2)


def test_one_cent_is_a_difference():
    result = _compare(
        {"id": ["a"], "amount": pa.array([Decimal("12.06")], MONEY)},
        {"id": ["a"], "amount": pa.array([Decimal("12.07")], pa.decimal128(28, 2))},
    )
    assert list(result.value_mismatches) == ["amount"] and not result.equal


def test_money_compares_by_value_across_decimal_types():
    # DuckDB widens sums to decimal(38, 2), Spark to decimal(28, 2); avg is double on one side.
    result = _compare(
        {"id": ["a"], "amount": pa.array([Decimal("12.07")], pa.decimal128(38, 2))},
        {"id": ["a"], "amount": pa.array([12.07], pa.float64())},
    )
    assert result.equal


@pytest.mark.parametrize(("spark_value", "equal"), [(0.25 * (1 + 5e-7), True), (0.25 * (1 + 5e-6), False)])
def test_rates_agree_within_the_relative_tolerance(spark_value, equal):
    result = _compare({"id": ["a"], "rate": [0.25]}, {"id": ["a"], "rate": [spark_value]})
    assert result.equal is equal
    assert result.max_relative_difference == pytest.approx(abs(spark_value - 0.25) / spark_value)


def test_null_matches_only_null():
    assert not _compare({"id": ["a"], "rate": [None]}, {"id": ["a"], "rate": [0.0]}).equal
    assert _compare({"id": ["a"], "rate": pa.array([None], pa.float64())},
                    {"id": ["a"], "rate": pa.array([None], pa.float64())}).equal


def test_missing_and_extra_keys_are_reported():
    result = _compare({"id": ["a", "b"], "n": [1, 2]}, {"id": ["a", "c"], "n": [1, 2]})
    assert (result.only_in_duckdb, result.only_in_spark) == ([("b",)], [("c",)])


def test_exact_columns_allow_no_difference():
    result = _compare(
        {"id": ["a"], "day": [dt.date(2024, 3, 1)], "n": [3], "ok": [True]},
        {"id": ["a"], "day": [dt.date(2024, 3, 2)], "n": [3], "ok": [True]},
    )
    assert list(result.value_mismatches) == ["day"]


def test_run_metadata_is_not_compared():
    result = _compare(
        {"id": ["a"], "run_id": ["20240101T000000Z"], "fitted_at": [dt.datetime(2024, 1, 1)]},
        {"id": ["a"], "run_id": ["20240101T000107Z"], "fitted_at": [dt.datetime(2024, 1, 1, 0, 1, 7)]},
    )
    assert result.equal


def test_a_column_on_one_engine_only_is_a_difference():
    result = _compare({"id": ["a"], "n": [1]}, {"id": ["a"], "n": [1], "extra": [2]})
    assert result.column_mismatch == ["extra"] and not result.equal


@pytest.mark.spark
def test_a_second_warehouse_in_the_same_process_is_refused(engine_comparison, tmp_path):
    from retention_warehouse.settings import Settings
    from retention_warehouse.spark.session import SparkSetupError, spark_session

    other = Settings.from_env().with_overrides(target="spark", spark_dir=tmp_path / "other")
    with pytest.raises(SparkSetupError, match="needs a new process"):
        spark_session(other)


THRIFT_VALUES = [
    (None, pa.float64()), (True, pa.bool_()), (3_000_000_000, pa.int64()), (0.1, pa.float64()),
    (1e-300, pa.float64()), (Decimal("139.71"), MONEY), ("it's a \\ test", pa.string()),
    (dt.date(2024, 2, 29), pa.date32()), (dt.datetime(2024, 3, 1, 14, 5, 9, 123456), pa.timestamp("us")),
]


@pytest.mark.spark
@pytest.mark.parametrize(("value", "arrow_type"), THRIFT_VALUES)
def test_thrift_literals_read_back_as_the_same_value(engine_comparison, value, arrow_type):
    # The Thrift writer inserts rows as SQL literals into typed columns; Spark must read each
    # literal, cast to the column's type, back as the value.
    from pyspark.sql import SparkSession

    from retention_warehouse.spark.tables import _as_naive_utc
    from retention_warehouse.spark.thrift import literal, spark_type

    query = f"select cast({literal(value)} as {spark_type(arrow_type)}) as v"
    parsed = _as_naive_utc(SparkSession.builder.getOrCreate().sql(query).toArrow()).column(0)[0].as_py()
    assert parsed == value
