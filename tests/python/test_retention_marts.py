"""The retention marts equal an independent plain-Python computation, exactly."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest
from conftest import isolated_settings, run_cli
from reference_retention import Purchase, retention_marts

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

RATE_TOLERANCE = 1e-12  # rates are ratios of exact integer counts: only float rounding may differ


def mart_rows(connection, table: str, key_columns: tuple[str, ...]) -> dict:
    relation = connection.sql(f"select * from marts.{table}")
    columns = relation.columns
    rows = {}
    for values in relation.fetchall():
        row = dict(zip(columns, values))
        key = tuple(row[c] for c in key_columns)
        rows[key[0] if len(key) == 1 else key] = row
    return rows


def assert_rows_equal(expected: dict, actual: dict, what: str) -> None:
    assert set(expected) == set(actual), f"{what}: keys differ"
    for key, expected_row in expected.items():
        for column, value in expected_row.items():
            got = actual[key][column]
            if value is None or got is None:
                assert got == value, f"{what} {key} {column}: {got} != {value}"
            elif isinstance(value, float):
                assert got == pytest.approx(value, rel=RATE_TOLERANCE), f"{what} {key} {column}"
            else:  # counts and money: exact (money compared as Decimal cents)
                assert got == value, f"{what} {key} {column}: {got} != {value}"


def assert_marts_match_reference(connection, purchases, grain: str, window_days: int) -> None:
    retention, growth, cohorts = retention_marts(purchases, grain, window_days)
    assert_rows_equal(retention, mart_rows(connection, "fct_retention_rate", ("period_start",)), "retention")
    assert_rows_equal(growth, mart_rows(connection, "fct_growth_accounting", ("period_start",)), "growth")
    assert_rows_equal(
        cohorts,
        mart_rows(connection, "fct_cohort_retention", ("cohort_period", "period_number")),
        "cohorts",
    )


def test_demo_marts_match_independent_computation(warehouse_connection):
    purchases = [
        Purchase(customer_id, order_date, net_revenue)
        for customer_id, order_date, net_revenue in warehouse_connection.sql(
            "select customer_id, order_date, net_revenue_base from staging.stg_shop__orders where is_completed"
        ).fetchall()
    ]
    assert len(purchases) > 10_000  # the demo data is large enough to exercise every branch
    assert_marts_match_reference(warehouse_connection, purchases, "month", 90)


def test_retention_rate_decomposes_into_retained_and_reactivated(warehouse_connection):
    # With a window longer than a month every new customer is in CE, so (CE - CN) / CS is
    # (retained + reactivated) / CS: comebacks are what can push it past 100 %.
    rows = warehouse_connection.sql(
        "select retention_rate, strict_retention_rate, reactivated_customers, new_customers,"
        " customers_at_end, customers_at_start, retained_customers from marts.fct_retention_rate"
        " where customers_at_start > 0"
    ).fetchall()
    for rate, strict, reactivated, new, end, start, retained in rows:
        assert 0 <= strict <= 1
        assert end == retained + reactivated + new  # the 90-day window is longer than a month
        assert rate == pytest.approx((retained + reactivated) / start, rel=RATE_TOLERANCE)
    assert sum(reactivated for _, _, reactivated, *_ in rows) > 0


def write_orders_csv(path, seed: int = 3) -> list[Purchase]:
    """A user's order export with unusual column names; every order is completed, in USD.

    Customers differ in purchase rate, dropout and spend, as real customers do: without that
    heterogeneity the CLV models in the same build have no finite maximum-likelihood estimate.
    """
    rng = random.Random(seed)
    last_day = date(2023, 12, 31)
    purchases, lines = [], []
    for customer in range(600):
        rate_per_day = rng.gammavariate(0.7, 1 / 20)
        dropout = rng.betavariate(0.8, 2.5)
        spend_rate = rng.gammavariate(4.0, 1 / 20)
        day = date(2022, 1, 1) + timedelta(days=rng.randrange(600))
        while day <= last_day:
            amount = max(Decimal("1.00"), Decimal(str(round(rng.gammavariate(6.0, 1 / spend_rate), 2))))
            purchases.append(Purchase(f"cust-{customer}", day, amount))
            lines.append({"client": f"cust-{customer}", "purchase_day": day.isoformat(), "total": str(amount)})
            if rng.random() < dropout:
                break
            day += timedelta(days=1 + int(min(rng.expovariate(rate_per_day), 1000)))
    rng.shuffle(lines)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["client", "purchase_day", "total"])
        writer.writeheader()
        writer.writerows(lines)
    return purchases


def test_imported_orders_give_marts_equal_to_independent_computation(tmp_path):
    settings = isolated_settings(tmp_path)
    purchases = write_orders_csv(tmp_path / "export.csv")
    run_cli(
        settings, "import-orders", str(tmp_path / "export.csv"),
        "--customer-col", "client", "--date-col", "purchase_day", "--amount-col", "total",
    )
    run_cli(settings, "build", "--vars", '{"period_grain": "week", "cohort_grain": "week", "active_window_days": 30}')

    connection = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        staged = connection.execute("select count(*), sum(net_revenue_base) from staging.stg_shop__orders").fetchall()[0]
        assert staged == (len(purchases), sum(p.net_revenue for p in purchases))
        assert_marts_match_reference(connection, purchases, "week", 30)
    finally:
        connection.close()
