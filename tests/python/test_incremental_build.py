"""An incremental build after new landings equals a full build of the same landing folder.

The new landing holds what makes staging depend on rows outside the new files: late rows for an
old month, an exact and a conflicting copy of existing orders in other months, a customer whose
orders landed before them, and two more generated days.
"""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from conftest import isolated_settings, run_cli

from retention_warehouse.landing.contract import SCHEMAS

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

ORDERS = 3_000
SEED = 11
# Differ between any two builds by design: who built a row, and the CLV fit's run ids and times.
RUN_COLUMNS = {"batch_id", "run_id", "fit_run_id", "fit_id", "fitted_at"}


def _orders_file(raw_dir, month: str):
    return min((raw_dir / "orders" / f"order_month={month}").glob("*.parquet"))


def _land(raw_dir, table: str, month: str | None, name: str, rows: pa.Table) -> None:
    folder = raw_dir / table / (f"order_month={month}" if month else "")
    pq.write_table(rows.select(SCHEMAS[table].names).cast(SCHEMAS[table]), folder / f"{name}.parquet")


def _hold_back_a_customer(raw_dir) -> pa.Table:
    """Removes one ordering customer from the first landing; returns their row to land later."""
    path = min((raw_dir / "customers").glob("*.parquet"))
    customers = pq.read_table(path)
    orders = pq.read_table(_orders_file(raw_dir, "2024-06"))
    late_id = orders.column("customer_id")[0].as_py()
    is_late = pc.equal(customers.column("customer_id"), late_id)
    pq.write_table(customers.filter(pc.invert(is_late)), path)
    return customers.filter(is_late)


def _land_late_and_duplicate_orders(raw_dir) -> dict[str, str]:
    """Late rows in 2023-03, and copies of 2023-05 orders landed in 2024-02 (exact, conflicting)."""
    old = pq.read_table(_orders_file(raw_dir, "2023-03"))
    late = old.slice(0, 3).set_column(0, "order_id", pa.array(["late-1", "late-2", "late-3"]))
    _land(raw_dir, "orders", "2023-03", "part-late", late)
    may = pq.read_table(_orders_file(raw_dir, "2023-05"))
    exact, conflicting = may.slice(0, 1), may.slice(1, 1)
    conflicting = conflicting.set_column(
        conflicting.schema.get_field_index("gross_amount"), "gross_amount",
        pc.add(conflicting.column("gross_amount"), 1.0),
    )
    _land(raw_dir, "orders", "2024-02", "part-copies", pa.concat_tables([exact, conflicting]))
    return {"exact": exact.column("order_id")[0].as_py(), "conflicting": conflicting.column("order_id")[0].as_py()}


def _tables(path) -> dict[str, pd.DataFrame]:
    """Every table of the built schemas, run-specific columns dropped, rows in a fixed order."""
    with duckdb.connect(str(path), read_only=True) as connection:
        names = connection.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where schema_name in ('staging', 'intermediate', 'marts') order by 1"
        ).fetchall()
        frames = {}
        for (name,) in names:
            # fit histories: one row (per model) per build
            where = " where is_current" if name in ("marts.fct_clv_model_fit", "marts.fct_churn_model_fit") else ""
            frame = connection.execute(f"select * from {name}{where}").df()
            frame = frame.drop(columns=[c for c in frame.columns if c in RUN_COLUMNS])
            order = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])] or list(frame.columns)
            frames[name] = frame.sort_values(order, ignore_index=True)
        return frames


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """(incremental settings, full settings, the customer landed late, the copied order ids)."""
    root = tmp_path_factory.mktemp("incremental")
    incremental = isolated_settings(root / "incremental")
    run_cli(incremental, "generate", "--orders", str(ORDERS), "--seed", str(SEED))
    late_customer = _hold_back_a_customer(incremental.raw_dir)
    run_cli(incremental, "build")

    run_cli(incremental, "generate", "--append-days", "2")
    copies = _land_late_and_duplicate_orders(incremental.raw_dir)
    _land(incremental.raw_dir, "customers", None, "part-late-customer", late_customer)
    result = run_cli(incremental, "build")
    assert "full refresh" not in result.stdout

    full = isolated_settings(root / "full")
    shutil.copytree(incremental.raw_dir, full.raw_dir)
    run_cli(full, "build")
    return incremental, full, late_customer.column("customer_id")[0].as_py(), copies


def test_incremental_build_equals_full_build(builds):
    incremental, full, _, _ = builds
    built, expected = _tables(incremental.warehouse_path), _tables(full.warehouse_path)
    assert set(built) == set(expected)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(built[name], frame, check_exact=False, rtol=1e-9, obj=name)


def test_incremental_build_rebuilt_only_the_touched_months(builds):
    incremental, _, _, _ = builds
    with duckdb.connect(str(incremental.warehouse_path), read_only=True) as connection:
        batches = dict(connection.execute(
            "select batch_id, count(distinct order_month) from staging.base_shop__orders group by 1"
        ).fetchall())
    assert len(batches) == 2, batches
    first, second = sorted(batches.values(), reverse=True)
    assert second < first  # the second run rebuilt a few months, not all


def test_late_rows_duplicates_and_late_customer_are_handled(builds):
    incremental, _, late_customer, copies = builds
    with duckdb.connect(str(incremental.warehouse_path), read_only=True) as connection:
        late_orders = connection.execute(
            "select count(*) from staging.stg_shop__orders where customer_id = ?", [late_customer]
        ).fetchone()[0]
        reasons = dict(connection.execute(
            "select order_id, string_agg(distinct quarantine_reason, ',') from staging.base_shop__orders"
            " where order_id in (?, ?) group by 1", [copies["exact"], copies["conflicting"]],
        ).fetchall())
        late_rows = connection.execute(
            "select count(*) from staging.stg_shop__orders where order_id like 'late-%'"
        ).fetchone()[0]
    assert late_orders > 0
    assert reasons == {copies["exact"]: "exact_duplicate", copies["conflicting"]: "conflicting_duplicate"}
    assert late_rows == 3


def test_rewritten_landed_file_forces_a_full_refresh(builds):
    incremental, _, _, _ = builds
    path = incremental.raw_dir / "orders" / "order_month=2023-03" / "part-late.parquet"
    pq.write_table(pq.read_table(path).slice(0, 2), path)
    result = run_cli(incremental, "build")
    assert "full refresh: landed file orders/order_month=2023-03/part-late.parquet was rewritten" in result.stdout
    with duckdb.connect(str(incremental.warehouse_path), read_only=True) as connection:
        assert connection.execute(
            "select count(*) from staging.stg_shop__orders where order_id like 'late-%'"
        ).fetchone()[0] == 2
