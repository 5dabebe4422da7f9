"""Importer: hand-written CDNOW, CSV and Parquet inputs give exactly the expected landing rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retention_warehouse.generate import generate
from retention_warehouse.importer import OrderColumns, OrderFileError, import_orders

ORDER_COLUMNS = ["order_id", "customer_id", "ordered_at", "status", "currency", "gross_amount", "discount_amount",
                 "platform"]  # fmt: skip


def read(raw: Path, table: str, order_by: str) -> list[tuple]:
    glob = "*/*.parquet" if table in ("orders", "order_items") else "*.parquet"
    return duckdb.connect().execute(
        f"select * from read_parquet('{raw}/{table}/{glob}', hive_partitioning = false) order by {order_by}"
    ).fetchall()


def months(raw: Path, table: str) -> list[str]:
    return sorted(p.name for p in (raw / table).iterdir())


def test_cdnow_sample_layout_last_four_columns(tmp_path):
    # CDNOW_sample.txt layout: master id, sample id, yyyymmdd, quantity, amount; CRLF; a blank line.
    src = tmp_path / "cdnow_sample.txt"
    src.write_bytes(
        b" 00004 0001 19970101  2   29.33\r\n"
        b" 00004 0001 19970118  2   29.73\r\n"
        b"\r\n"
        b" 00021 0002 19970201  3   63.34\r\n"
    )
    raw = tmp_path / "raw"
    summary = import_orders(src, raw)
    assert summary["format"] == "cdnow"
    assert summary["row_counts"]["orders"] == 3 and summary["row_counts"]["customers"] == 2
    assert read(raw, "orders", "order_id") == [
        ("L000000001", "0001", "1997-01-01 00:00:00", "completed", "USD", 29.33, 0.0, None),
        ("L000000002", "0001", "1997-01-18 00:00:00", "completed", "USD", 29.73, 0.0, None),
        ("L000000004", "0002", "1997-02-01 00:00:00", "completed", "USD", 63.34, 0.0, None),
    ]
    assert read(raw, "order_items", "order_item_id") == [
        ("I000000001", "L000000001", "unknown", 2, pytest.approx(14.665)),
        ("I000000002", "L000000002", "unknown", 2, pytest.approx(14.865)),
        ("I000000004", "L000000004", "unknown", 3, pytest.approx(21.113333333)),
    ]
    assert read(raw, "customers", "customer_id") == [
        ("0001", "1997-01-01 00:00:00", None, "unknown"),
        ("0002", "1997-02-01 00:00:00", None, "unknown"),
    ]
    assert read(raw, "products", "product_id") == [("unknown", "Unknown product", "unknown", None, None)]
    assert months(raw, "orders") == months(raw, "order_items") == ["order_month=1997-01", "order_month=1997-02"]


def test_cdnow_master_layout_with_header(tmp_path):
    src = tmp_path / "master.txt"
    src.write_text(
        " customer_id  date number_of_cds  dollar_value\n"
        " 00001 19970101  1   11.77\n"
        " 00002 19970112  1   12.00\n"
    )
    raw = tmp_path / "raw"
    import_orders(src, raw, fmt="cdnow", currency="eur")
    assert read(raw, "orders", "order_id") == [
        ("L000000002", "00001", "1997-01-01 00:00:00", "completed", "EUR", 11.77, 0.0, None),
        ("L000000003", "00002", "1997-01-12 00:00:00", "completed", "EUR", 12.0, 0.0, None),
    ]


def test_csv_with_renamed_columns(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(
        "Ref,Client,Placed,Total,Qty,State,Cur,Note\n"
        'A-1,"Smith, J",2024-03-01 14:05:09,10.50,1,Completed,eur,first\n'
        "A-2,c2,2024-03-31T23:30:00-02:00,30,3,Canceled, gbp ,\n"
        "A-3,c2,20240215,7.25,1,returned,USD,\n"
        'A-4,"Smith, J",2024-02-29,0.99,1.0,completed,usd,"multi\nline note"\n'
        "A-5,c3,2024-02-29T10:00:00Z,5,1,completed,USD,\n"
    )
    raw = tmp_path / "raw"
    columns = OrderColumns(
        customer="Client", date="Placed", amount="Total", order_id="Ref", quantity="Qty", status="State", currency="Cur"
    )
    summary = import_orders(src, raw, columns=columns)
    assert summary["rows_read"] == 5
    assert read(raw, "orders", "order_id") == [
        ("A-1", "Smith, J", "2024-03-01 14:05:09", "completed", "EUR", 10.5, 0.0, None),
        ("A-2", "c2", "2024-04-01 01:30:00", "cancelled", "GBP", 30.0, 0.0, None),  # -02:00 -> UTC
        ("A-3", "c2", "2024-02-15 00:00:00", "returned", "USD", 7.25, 0.0, None),
        ("A-4", "Smith, J", "2024-02-29 00:00:00", "completed", "USD", 0.99, 0.0, None),
        ("A-5", "c3", "2024-02-29 10:00:00", "completed", "USD", 5.0, 0.0, None),
    ]
    # Item ids carry the input line number; A-4 starts on line 5 and spans two lines.
    assert read(raw, "order_items", "order_item_id") == [
        ("I000000002", "A-1", "unknown", 1, 10.5),
        ("I000000003", "A-2", "unknown", 3, 10.0),
        ("I000000004", "A-3", "unknown", 1, 7.25),
        ("I000000005", "A-4", "unknown", 1, 0.99),
        ("I000000007", "A-5", "unknown", 1, 5.0),
    ]
    assert read(raw, "customers", "customer_id") == [
        ("Smith, J", "2024-02-29 00:00:00", None, "unknown"),
        ("c2", "2024-02-15 00:00:00", None, "unknown"),
        ("c3", "2024-02-29 10:00:00", None, "unknown"),
    ]
    assert months(raw, "orders") == ["order_month=2024-02", "order_month=2024-03", "order_month=2024-04"]


def test_parquet_with_typed_columns_and_date_format(tmp_path):
    src = tmp_path / "orders.parquet"
    pq.write_table(
        pa.table({
            "cust": pa.array([7, 8], pa.int64()),
            "when": pa.array([dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC), dt.datetime(2024, 6, 2)],
                             pa.timestamp("us", tz="UTC")),
            "value": pa.array([19.99, 5.0]),
        }),
        src,
    )
    raw = tmp_path / "raw"
    import_orders(src, raw, columns=OrderColumns(customer="cust", date="when", amount="value"))
    assert read(raw, "orders", "order_id") == [
        ("L000000001", "7", "2024-05-01 12:00:00", "completed", "USD", 19.99, 0.0, None),
        ("L000000002", "8", "2024-06-02 00:00:00", "completed", "USD", 5.0, 0.0, None),
    ]

    text = tmp_path / "dmy.csv"
    text.write_text("customer_id,order_date,amount\nx,31/12/2023 18:00,4\n")
    import_orders(text, raw, date_format="%d/%m/%Y %H:%M")
    assert read(raw, "orders", "order_id") == [
        ("L000000002", "x", "2023-12-31 18:00:00", "completed", "USD", 4.0, 0.0, None)
    ]


def test_replaces_landing_zone_and_writes_empty_tables(tmp_path):
    raw = tmp_path / "raw"
    generate(raw, orders=1_000, seed=3)
    src = tmp_path / "o.csv"
    src.write_text("customer_id,order_date,amount\na,2024-01-05,12.5\n")
    import_orders(src, raw)
    assert not (raw / "_generator_params.json").exists()
    assert months(raw, "orders") == ["order_month=2024-01"]
    assert len(read(raw, "orders", "order_id")) == 1
    assert len(read(raw, "customers", "customer_id")) == 1
    for table, first in (("marketing_spend", "spend_date"), ("survey_responses", "response_id"),
                         ("experiment_assignments", "assignment_id")):  # fmt: skip
        files = list((raw / table).glob("*.parquet"))
        assert len(files) == 1
        schema = pq.read_schema(files[0])
        assert schema.names[0] == first
        assert pq.read_table(files[0]).num_rows == 0
    assert [str(f.type) for f in pq.read_schema(next((raw / "survey_responses").glob("*.parquet")))] == [
        "string", "string", "string", "int64", "int64", "string"
    ]


@pytest.mark.parametrize(
    ("name", "content", "options", "message"),
    [
        (
            "bad.csv",
            'customer_id,order_date,amount,note\nc1,2024-01-01,5.00,"two\nlines"\nc2,2024-01-02,abc,x\n',
            {},
            "bad.csv line 4, field 'amount': 'abc' is not a number",
        ),
        (
            "dates.csv",
            "customer_id,order_date,amount\n\nc1,2024-01-01,5\nc1,2024-02-30,5\n",
            {},
            "dates.csv line 4, field 'order_date': '2024-02-30' is not a date",
        ),
        (
            "short.txt",
            " 00001 19970101 1 11.77\n 00002 19970102 1\n",
            {},
            "short.txt line 2, field 'amount'",
        ),
        (
            "cd.txt",
            " 00001 19970101 1 11.77\n 00002 1997013x 1 3.00\n",
            {},
            "cd.txt line 2, field 'date': '1997013x' is not a date",
        ),
        (
            "missing.csv",
            "client,order_date,amount\nc1,2024-01-01,5\n",
            {},
            "missing.csv: column 'customer_id' not found",
        ),
        (
            "ragged.csv",
            "customer_id,order_date,amount\nc1,2024-01-01,5\nc2,2024-01-02\n",
            {},
            "ragged.csv line 3, field 'amount'",
        ),
    ],
)
def test_unreadable_rows_name_file_line_and_field(tmp_path, name, content, options, message):
    src = tmp_path / name
    src.write_text(content)
    with pytest.raises(OrderFileError) as error:
        import_orders(src, tmp_path / "raw", **options)
    assert message in str(error.value)
    assert isinstance(error.value, ValueError)


def test_parquet_error_names_row(tmp_path):
    src = tmp_path / "text_amounts.parquet"
    pq.write_table(pa.table({"customer_id": ["a", "b"], "order_date": ["2024-01-01", "2024-01-02"],
                             "amount": ["1.50", "abc"]}), src)  # fmt: skip
    with pytest.raises(OrderFileError, match=r"text_amounts.parquet row 2, field 'amount': 'abc' is not a number"):
        import_orders(src, tmp_path / "raw")


def test_parquet_missing_amount_lands_as_null_for_staging_to_quarantine(tmp_path):
    src = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"customer_id": ["a", "b"], "order_date": ["2024-01-01", "2024-01-02"],
                             "amount": pa.array([1.0, None])}), src)  # fmt: skip
    import_orders(src, tmp_path / "raw")
    assert [row[5] for row in read(tmp_path / "raw", "orders", "order_id")] == [1.0, None]
    assert [row[4] for row in read(tmp_path / "raw", "order_items", "order_item_id")] == [1.0, None]


def test_unknown_format(tmp_path):
    src = tmp_path / "orders.xlsx"
    src.write_text("x")
    with pytest.raises(OrderFileError, match="orders.xlsx: unknown format"):
        import_orders(src, tmp_path / "raw")
