"""The hostile corpus: order files a careless export or a hostile user produces, each with its
expected outcome. A rejected file names file, line (or row) and field, and keeps the landing; an
accepted file lands every row, and staging holds each one back with the expected reason, so raw
rows = staged + quarantined for every table. The build-level test lands values that used to stop
the whole build (amounts beyond the money type, year-1900 dates, sub-cent amounts) next to
generated data: the build succeeds and quarantines exactly those rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import isolated_settings, run_cli

from retention_warehouse.dbt_runner import dbt_args
from retention_warehouse.generate import generate
from retention_warehouse.importer import OrderColumns, OrderFileError, import_orders
from retention_warehouse.landing import contract, files
from retention_warehouse.landing.timestamps import month_key
from retention_warehouse.orchestration.landed_files import scan_landing

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

HEADER = "customer_id,order_date,amount\n"


def _binary_customer_ids(path):
    customers = pa.array([b"a", b"b\xff"], pa.binary())
    pq.write_table(pa.table({"customer_id": customers, "order_date": ["2024-01-01", "2024-01-02"],
                             "amount": [1.0, 2.0]}), path)  # fmt: skip


# name, file content (bytes, or a function writing the file), import options, expected message
REJECTED = [
    ("latin1.csv", HEADER.encode() + b"c1,2024-01-01,5\nM\xfcller,2024-01-02,5\n", {},
     "latin1.csv line 3, field 'customer_id': bytes b'\\xfc' are not UTF-8 text; give the file's encoding"),
    ("header_only.csv", HEADER.encode(), {}, "header_only.csv: no order rows"),
    ("empty.csv", b"", {}, "empty.csv: the file is empty"),
    ("blank_lines.csv", b"\n\n", {}, "blank_lines.csv: the file is empty"),
    ("two_amounts.csv", b"customer_id,order_date,amount,amount\nc1,2024-01-01,5,6\n", {},
     "two_amounts.csv line 1: column 'amount' appears more than once (columns 3, 4)"),
    ("text.parquet", b"customer_id,order_date,amount\n", {}, "text.parquet: not a readable Parquet file"),
    ("not_utf8.parquet", _binary_customer_ids, {}, "not_utf8.parquet row 2, field 'customer_id': is not valid UTF-8"),
    ("words.csv", HEADER.encode() + b"c1,2024-01-01,5\nc1,2024-01-02,ten\n", {},
     "words.csv line 3, field 'amount': 'ten' is not a number"),
    ("feb30.csv", HEADER.encode() + b"c1,2024-02-30,5\n", {}, "feb30.csv line 2, field 'order_date': '2024-02-30' is not a date"),
    ("no_date.csv", HEADER.encode() + b"c1,2024-01-01,5\nc1,NULL,5\n", {},
     "no_date.csv line 3, field 'order_date': 'NULL' is missing"),
    ("ragged.csv", HEADER.encode() + b"c1,2024-01-01\n", {}, "ragged.csv line 2, field 'amount': expected 3 fields, found 2"),
    ("no_customer.csv", b"client,order_date,amount\nc1,2024-01-01,5\n", {}, "no_customer.csv: column 'customer_id' not found"),
    ("half_item.csv", b"customer_id,order_date,amount,n\nc1,2024-01-01,5,1.5\n",
     {"columns": OrderColumns(quantity="n")}, "half_item.csv line 2, field 'n': '1.5' is not a whole number"),
]

# name, content, options, {table: (staged, {quarantine reason: rows})}, ids trimmed
ACCEPTED = [
    (
        "amounts.csv",
        HEADER + "c1,2024-01-01,10.00\nc1,2024-01-02,1e17\nc1,2024-01-03,1e300\nc1,2024-01-04,0.001\n"
        "c1,2024-01-05,10.125\nc1,2024-01-06,-5\nc1,2024-01-07,NULL\nc1,2024-01-08,\n",
        {},
        {
            "orders": (1, {"amount_out_of_range": 2, "sub_minor_unit_amount": 2, "invalid_amount": 3}),
            "order_items": (1, {"order_quarantined": 4, "invalid_amount": 3}),
            "customers": (1, {}),
        },
        {},
    ),
    (
        "dates.csv",
        HEADER + "c1,2024-01-01,5\nc1,1900-01-01,5\nc1,1500-06-01,5\nc1,0001-01-01,5\nc1,9999-12-31,5\n",
        {},
        {
            "orders": (1, {"before_min_order_date": 3, "future_date": 1}),
            "order_items": (1, {"order_quarantined": 4}),
            "customers": (1, {}),
        },
        {},
    ),
    (
        "ids.csv",
        ("order_id,customer_id,order_date,amount,status,currency\n"
        "o1,c1,2024-01-01,5,completed,USD\n o2 , c1 ,2024-01-02,5,completed,USD\no3,NULL,2024-01-03,5,completed,USD\n"
        "o4,null,2024-01-04,5,completed,USD\nNULL,c2,2024-01-05,5,completed,USD\no6,c2,2024-01-06,5,weird,USD\n"
        "o7,c2,2024-01-07,5,completed,XYZ\no8,c2,2024-01-08,5,,USD\n"),
        {"columns": OrderColumns(order_id="order_id", status="status", currency="currency")},
        {
            "orders": (2, {"missing_customer": 2, "missing_order_id": 1, "unknown_status": 2, "unknown_currency": 1}),
            "order_items": (2, {"unknown_order": 1, "order_quarantined": 5}),
            "customers": (2, {}),
        },
        {"customer_id": 1, "order_id": 1},
    ),
    (
        "quantities.csv",
        "customer_id,order_date,amount,n\nc1,2024-01-01,5,2\nc1,2024-01-02,5,0\nc1,2024-01-03,5,-1\nc1,2024-01-04,5,\n",
        {"columns": OrderColumns(quantity="n")},
        {
            "orders": (4, {}),
            "order_items": (1, {"invalid_quantity": 3}),
            "customers": (1, {}),
        },
        {},
    ),
    (
        "latin1_declared.csv",
        HEADER + "Müller,2024-01-01,5\n",
        {"encoding": "latin-1"},
        {"orders": (1, {}), "order_items": (1, {}), "customers": (1, {})},
        {},
    ),
]


@pytest.mark.parametrize(("name", "content", "options", "message"), REJECTED, ids=[c[0] for c in REJECTED])
def test_rejected_file_names_where_and_keeps_the_landing(tmp_path, name, content, options, message):
    raw = tmp_path / "raw"
    generate(raw, orders=500, seed=1)
    before = scan_landing(raw).fingerprint
    path = tmp_path / name
    content(path) if callable(content) else path.write_bytes(content)
    with pytest.raises(OrderFileError) as error:
        import_orders(path, raw, **options)
    assert message in str(error.value)
    assert scan_landing(raw).fingerprint == before


def _raw_rows(raw, table: str) -> int:
    glob = "*/*.parquet" if table in contract.PARTITIONED else "*.parquet"
    return duckdb.connect().execute(f"select count(*) from read_parquet('{raw}/{table}/{glob}')").fetchone()[0]


@pytest.mark.parametrize(("name", "content", "options", "expected", "trimmed"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_file_lands_every_row_and_staging_accounts_for_each(tmp_path, name, content, options, expected,
                                                                     trimmed):
    settings = isolated_settings(tmp_path)
    path = tmp_path / name
    path.write_text(content, encoding=options.get("encoding", "utf-8"))
    summary = import_orders(path, settings.raw_dir, **options)
    assert summary["ids_trimmed"] == trimmed
    staging_only = ["build", "--select", ("+fct_quarantined_rows +stg_shop__orders +stg_shop__order_items "
                    "+stg_shop__customers"), "--indirect-selection", "cautious"]
    dbt = subprocess.run([str(Path(sys.executable).parent / "dbt"), *dbt_args(staging_only, settings)],
                         env={**os.environ, **settings.environment()}, check=False, capture_output=True,
                         text=True)
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        for table, (staged, reasons) in expected.items():
            got_staged = connection.execute(f"select count(*) from staging.stg_shop__{table}").fetchone()[0]
            got_reasons = dict(connection.execute(
                "select quarantine_reason, count(*) from marts.fct_quarantined_rows "
                "where source_table = ? group by 1", [f"shop.{table}"]).fetchall())
            assert (got_staged, got_reasons) == (staged, reasons), table
            assert _raw_rows(settings.raw_dir, table) == staged + sum(reasons.values()), table


HOSTILE_ORDERS = [  # order id, ordered_at, gross amount, discount, expected quarantine reason
    ("H-ok", "2024-03-01 10:00:00", 10.13, 0.0, None),
    ("H-1e17", "2024-03-02 10:00:00", 1e17, 0.0, "amount_out_of_range"),
    ("H-1e300", "2024-03-03 10:00:00", 1e300, 0.0, "amount_out_of_range"),
    ("H-nan", "2024-03-04 10:00:00", float("nan"), 0.0, "amount_out_of_range"),
    ("H-inf", "2024-03-05 10:00:00", float("inf"), 0.0, "amount_out_of_range"),
    ("H-discount", "2024-03-06 10:00:00", 20.0, float("nan"), "amount_out_of_range"),
    ("H-tenth-cent", "2024-03-07 10:00:00", 0.001, 0.0, "sub_minor_unit_amount"),
    ("H-half-cent", "2024-03-08 10:00:00", 10.125, 0.0, "sub_minor_unit_amount"),
    ("H-1900", "1900-01-01 10:00:00", 12.0, 0.0, "before_min_order_date"),
    ("H-1500", "1500-06-01 10:00:00", 12.0, 0.0, "before_min_order_date"),
    ("H-0001", "0001-01-01 00:00:00", 12.0, 0.0, "before_min_order_date"),
]


def test_build_quarantines_values_that_used_to_stop_it(tmp_path):
    settings = isolated_settings(tmp_path)
    generate(settings.raw_dir, orders=2_500, seed=11)
    customer = pq.read_table(next((settings.raw_dir / "customers").glob("*.parquet"))).column("customer_id")[0]
    ids, stamps, gross, discount, _reasons = zip(*HOSTILE_ORDERS)
    n = len(ids)
    orders = files.make_table("orders", {
        "order_id": list(ids), "customer_id": [customer.as_py()] * n, "ordered_at": list(stamps),
        "status": ["completed"] * n, "currency": ["USD"] * n, "gross_amount": list(gross),
        "discount_amount": list(discount), "platform": ["web"] * n,
    })
    seconds = pa.array(list(stamps)).cast(pa.timestamp("s")).cast(pa.int64()).to_numpy()
    files.write_by_month(settings.raw_dir, "orders", orders, month_key(seconds), part="hostile")
    run_cli(settings, "build")
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        got = dict(connection.execute(
            "select split_part(raw_row_key, '#', 1), quarantine_reason from marts.fct_quarantined_rows "
            "where source_table = 'shop.orders' and raw_row_key like 'H-%'").fetchall())
        staged = {row[0] for row in connection.execute(
            "select order_id from staging.stg_shop__orders where order_id like 'H-%'").fetchall()}
    assert got == {order: reason for order, *_, reason in HOSTILE_ORDERS if reason}
    assert staged == {"H-ok"}
