"""Import a user's order file (CSV, Parquet or CDNOW text) into the landing zone.

The landing zone gets the contract of docs/architecture.md: one order row per input row (nothing
dropped or deduplicated here; staging quarantines what is unusable), one order line per order for
the single 'unknown' product, customers derived from the orders, and empty marketing, survey and
experiment tables. Values that cannot be read at all (a date or a number that does not parse)
stop the import with an OrderFileError naming the file, the line (row for Parquet) and the field.

CDNOW (fmt="cdnow"): whitespace-separated lines; the LAST four fields are customer id, yyyymmdd
date, quantity and dollar amount. That reads both CDNOW_master.txt (4 fields) and CDNOW_sample.txt
(5 fields: master id, sample id, ...; the sample id becomes the customer id). A first line that
contains letters is a header and is skipped. Column-name options do not apply to CDNOW files.

Other choices: CSV files need a header row (delimiter , ; tab or | sniffed from it) and are read
as UTF-8 unless `encoding` says otherwise. Without an order id column, order ids are 'L' + the
zero-padded line number (row number for Parquet); item ids are 'I' + the same number. Blanks and
the text NULL (any case) are missing values: a missing id, status, currency, amount or quantity is
landed as null for staging to quarantine, as are zero or negative quantities and unknown statuses
and currencies; only a missing or unreadable date, or text that is not a number, stops the import.
Ids are trimmed of surrounding spaces (CSV exports pad them) and the summary counts the values
trimmed. Statuses are lower-cased with canceled/complete/refunded mapped to the contract's words.
The 'unknown' product has null cost and price. The landing is replaced as a whole or not at all
(retention_warehouse.landing).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .landing import contract, files, replace_landing
from .landing.timestamps import DAY, format_ts, month_key, month_label, seconds_text

FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet", ".txt": "cdnow", ".dat": "cdnow"}
CDNOW_FIELDS = ("customer_id", "date", "quantity", "amount")
STATUS_SYNONYMS = {"canceled": "cancelled", "complete": "completed", "refunded": "returned"}
UNKNOWN_PRODUCT = "unknown"
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


class OrderFileError(ValueError):
    """The order file cannot be read; the message names file, line (or row) and field."""


class _Source:
    """Raw columns of the input and the 1-based line (or row) number of every input row."""

    def __init__(self, path: Path, columns: dict[str, pa.Array], lines, unit: str = "line"):
        self.path, self.columns, self.unit = path, columns, unit
        self._lines = lines  # array, or a function computing it (CSV: only when needed)
        self.rows = len(next(iter(columns.values()))) if columns else 0
        self.trimmed: dict[str, int] = {}

    def lines(self) -> np.ndarray:
        if callable(self._lines):
            self._lines = np.asarray(self._lines(), dtype=np.int64)
        return self._lines

    def fail(self, index: int, field: str, problem: str, show_value: bool = True) -> OrderFileError:
        value = f"{self.columns[field][index].as_py()!r} " if show_value else ""
        where = f"{self.path.name} {self.unit} {self.lines()[index]}"
        return OrderFileError(f"{where}, field '{field}': {value}{problem}")

    def text(self, field: str) -> pd.Series:
        """The column as stripped text, missing values (blank, NULL) as None."""
        array = self.columns[field]
        if pa.types.is_binary(array.type) or pa.types.is_large_binary(array.type):
            for index, value in enumerate(array.to_pylist()):
                try:
                    value is None or value.decode("utf-8")
                except UnicodeDecodeError:
                    raise self.fail(index, field, "is not valid UTF-8 text", show_value=False) from None
        raw = pd.Series(array.cast(pa.string()).to_pandas(), dtype=object)
        text = raw.str.strip()
        present = raw.notna()
        kept = present & (text != "") & (text.str.upper() != "NULL")
        self.trimmed[field] = int((kept & (raw != text)).sum())
        return text.where(kept, None)


# --- readers ---------------------------------------------------------------------------------


def _csv_record_lines(path: Path, delimiter: str, encoding: str):
    """1-based first line of every non-blank CSV record (header first), as pyarrow counts them."""
    with path.open(newline="", encoding=encoding) as handle:
        reader, previous = csv.reader(handle, delimiter=delimiter), 0
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if record:
                yield start, record


def _undecodable(path: Path, encoding: str, delimiter: str | None, header: list[str]) -> OrderFileError:
    """The first line (and field) whose bytes are not text in `encoding`."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as error:
                bad = line[error.start : error.end]
                fields = line.split(delimiter.encode()) if delimiter else [line]
                index = next(i for i, f in enumerate(fields) if _fails(f, encoding))
                field = f", field '{header[index]}'" if index < len(header) else ""
                return OrderFileError(
                    f"{path.name} line {number}{field}: bytes {bad!r} are not {_name(encoding)} text; "
                    "give the file's encoding with --encoding (for example latin-1 or cp1252)"
                )
    return OrderFileError(f"{path.name}: not {_name(encoding)} text; give the file's encoding with --encoding")


def _name(encoding: str) -> str:
    return "UTF-8" if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8") else encoding


def _fails(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return True
    return False


def _read_csv(path: Path, wanted: list[str], encoding: str) -> _Source:
    with path.open("rb") as handle:
        first_bytes = next((line for line in handle if line.strip()), b"")
    try:
        first = first_bytes.decode(encoding)
    except UnicodeDecodeError:
        raise _undecodable(path, encoding, None, []) from None
    if not first:
        raise OrderFileError(f"{path.name}: the file is empty; landing kept")
    delimiter = max([",", ";", "\t", "|"], key=first.count)
    header = next(csv.reader([first], delimiter=delimiter), [])
    header = [h.strip() for h in header]
    repeated = next((name for i, name in enumerate(header) if name in header[:i]), None)
    if repeated is not None:
        positions = [str(i + 1) for i, name in enumerate(header) if name == repeated]
        raise OrderFileError(f"{path.name} line 1: column '{repeated}' appears more than once (columns {', '.join(positions)})")
    _require(path, header, wanted)
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=header, skip_rows=1, encoding="utf8" if _name(encoding) == "UTF-8" else encoding
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header}, include_columns=wanted, strings_can_be_null=False
            ),
        )
    except UnicodeDecodeError:
        raise _undecodable(path, encoding, delimiter, header) from None
    except pa.ArrowInvalid as exc:  # ragged rows or bad bytes: find the first for a precise message
        if "UTF8" in str(exc):
            raise _undecodable(path, encoding, delimiter, header) from exc
        for line, record in list(_csv_record_lines(path, delimiter, encoding))[1:]:
            if len(record) != len(header):
                field = header[len(record)] if len(record) < len(header) else f"#{len(record)}"
                raise OrderFileError(
                    f"{path.name} line {line}, field '{field}': expected {len(header)} fields, found {len(record)}"
                ) from exc
        raise OrderFileError(f"{path.name}: {exc}") from exc

    def lines() -> list[int]:  # a second pass, only for error messages and synthesized ids
        return [line for line, _ in _csv_record_lines(path, delimiter, encoding)][1:]

    return _Source(path, {name: table[name].combine_chunks() for name in wanted}, lines)


def _read_parquet(path: Path, wanted: list[str]) -> _Source:
    try:
        names = pq.read_schema(path).names
    except (pa.ArrowInvalid, OSError) as exc:
        raise OrderFileError(f"{path.name}: not a readable Parquet file ({exc})") from None
    repeated = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if repeated is not None:
        raise OrderFileError(f"{path.name}: column '{repeated}' appears more than once")
    _require(path, names, wanted)
    try:
        table = pq.read_table(path, columns=wanted)
    except pa.ArrowInvalid as exc:  # text that is not UTF-8: read it as bytes to find the row
        if "UTF8" not in str(exc):
            raise OrderFileError(f"{path.name}: {exc}") from None
        table = pq.read_table(path, columns=wanted, schema=_as_binary(pq.read_schema(path)))
    columns = {name: table[name].combine_chunks() for name in wanted}
    return _Source(path, columns, np.arange(1, table.num_rows + 1), unit="row")


def _as_binary(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.binary()) if pa.types.is_string(f.type) else f for f in schema])


def _read_cdnow(path: Path, encoding: str) -> _Source:
    values: list[list[str]] = [[] for _ in CDNOW_FIELDS]
    lines: list[int] = []
    header_checked = False
    try:
        with path.open(encoding=encoding) as handle:
            for number, text in enumerate(handle, start=1):
                tokens = text.split()
                if not tokens:
                    continue
                if not header_checked:
                    header_checked = True
                    if re.search(r"[A-Za-z]", text):
                        continue
                if len(tokens) < len(CDNOW_FIELDS):
                    missing = CDNOW_FIELDS[len(tokens)]
                    raise OrderFileError(
                        f"{path.name} line {number}, field '{missing}': expected 4 whitespace-separated fields "
                        f"(customer id, yyyymmdd date, quantity, amount), found {len(tokens)}"
                    )
                for column, token in zip(values, tokens[-len(CDNOW_FIELDS) :]):
                    column.append(token)
                lines.append(number)
    except UnicodeDecodeError:
        raise _undecodable(path, encoding, None, []) from None
    columns = {name: pa.array(column, pa.string()) for name, column in zip(CDNOW_FIELDS, values)}
    return _Source(path, columns, lines)


def _require(path: Path, available: list[str], wanted: list[str]) -> None:
    missing = [name for name in wanted if name not in available]
    if missing:
        raise OrderFileError(f"{path.name}: column '{missing[0]}' not found (columns: {', '.join(available)})")


# --- value parsers: raise on the first unreadable value ------------------------------------


def _numbers(src: _Source, field: str) -> pa.Array:
    """Doubles, null where missing; text that is not a number stops the import."""
    array = src.columns[field]
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type) or pa.types.is_decimal(array.type):
        return array.cast(pa.float64())
    text = src.text(field)
    values = pd.to_numeric(text, errors="coerce")
    bad = (values.isna() & text.notna()).to_numpy()
    if bad.any():
        raise src.fail(int(np.argmax(bad)), field, "is not a number")
    return pa.array(values.to_numpy(dtype=np.float64, na_value=np.nan), pa.float64(), from_pandas=True)


def _quantities(src: _Source, field: str) -> pa.Array:
    """Whole numbers, null where missing; zero and negatives are landed for staging to quarantine."""
    try:
        values = _numbers(src, field)
    except OrderFileError as exc:
        raise OrderFileError(str(exc).replace("is not a number", "is not a whole number")) from None
    numbers = values.to_numpy(zero_copy_only=False)
    bad = np.isfinite(numbers) & (numbers != np.round(numbers)) | np.isinf(numbers)
    if bad.any():
        raise src.fail(int(np.argmax(bad)), field, "is not a whole number")
    return values.cast(pa.int64())


def _seconds(src: _Source, field: str, date_format: str | None) -> np.ndarray:
    """UTC seconds from yyyymmdd, ISO-8601 dates/timestamps (offsets converted) or date_format."""
    array = src.columns[field]
    if pa.types.is_timestamp(array.type) or pa.types.is_date(array.type):
        null = array.is_null().to_numpy(zero_copy_only=False)
        if null.any():
            raise src.fail(int(np.argmax(null)), field, "is not a date")
        if pa.types.is_date(array.type):
            return array.cast(pa.date32()).cast(pa.int32()).to_numpy().astype(np.int64) * DAY
        per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[array.type.unit]
        return np.floor_divide(array.cast(pa.int64()).to_numpy(), per_second)  # UTC instants
    text = src.text(field)
    missing = text.isna().to_numpy()
    if missing.any():
        raise src.fail(int(np.argmax(missing)), field, "is missing: every order needs a date")
    if date_format:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce", utc=True)
    else:
        compact = text.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
        if compact.any():
            parsed[compact] = pd.to_datetime(text[compact], format="%Y%m%d", errors="coerce", utc=True)
        if (~compact).any():
            parsed[~compact] = pd.to_datetime(text[~compact], format="ISO8601", errors="coerce", utc=True)
    stamps = ((parsed - EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(stamps)
    if bad.any():
        expected = f"format {date_format!r}" if date_format else "yyyymmdd or ISO 8601"
        raise src.fail(int(np.argmax(bad)), field, f"is not a date ({expected})")
    return np.floor(stamps).astype(np.int64)


def _ids(src: _Source, field: str) -> pa.Array:
    return pa.array(src.text(field), pa.string())


# --- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderColumns:
    """Names of the source columns for each role; a role without a name (None or "") is absent
    from the file and gets its documented default. The role names are the summary's keys."""

    customer: str = "customer_id"
    date: str = "order_date"
    amount: str = "amount"
    order_id: str | None = None
    quantity: str | None = None
    status: str | None = None
    currency: str | None = None

    def mapped(self) -> dict[str, str]:
        """Role -> source column name, for the roles the file has."""
        return {role.name: name for role in fields(self) if (name := getattr(self, role.name))}


CDNOW_COLUMNS = OrderColumns(customer="customer_id", date="date", amount="amount", quantity="quantity")
# Landed from an order file; every other table of the contract is landed empty.
FILLED_TABLES = ("orders", "order_items", "customers", "products")
EMPTY_TABLES = tuple(name for name in contract.SCHEMAS if name not in FILLED_TABLES)


@dataclass(frozen=True)
class _Orders:
    """The typed order columns, one value per input row, in input order."""

    order_id: pa.Array
    customer: pa.Array
    seconds: np.ndarray
    status: pa.Array
    currency: pa.Array
    amount: pa.Array
    quantity: pa.Array
    line: np.ndarray


def import_orders(
    path: Path,
    raw_dir: Path,
    *,
    columns: OrderColumns = OrderColumns(),
    fmt: str = "auto",
    date_format: str | None = None,
    currency: str = "USD",
    encoding: str = "utf-8-sig",
) -> dict:
    """Replace the landing zone in `raw_dir` with the orders of `path`; returns row counts.

    `date_format` is a strptime format for dates that are neither ISO 8601 nor yyyymmdd;
    `currency` is the currency of every order when the file has no currency column."""
    path, raw_dir = Path(path), Path(raw_dir)
    kind, columns, src = _read_source(path, fmt, columns, encoding)
    orders = _typed_orders(src, columns, date_format, currency)
    tables = _landing_tables(orders)
    written = _write_landing(raw_dir, tables, month_key(orders.seconds))
    return _summary(path, kind, columns, src, orders, tables, written, raw_dir)


def _read_source(path: Path, fmt: str, columns: OrderColumns, encoding: str) -> tuple[str, OrderColumns, _Source]:
    """The resolved format, the columns that apply to it, and the raw columns they name."""
    if not path.is_file():
        raise OrderFileError(f"{path}: file not found")
    kind = FORMATS.get(path.suffix.lower()) if fmt == "auto" else fmt
    if kind not in ("csv", "parquet", "cdnow"):
        raise OrderFileError(f"{path.name}: unknown format {fmt!r} (use csv, parquet or cdnow)")
    if kind == "cdnow":  # the layout is fixed, so the column options cannot apply
        return kind, CDNOW_COLUMNS, _read_cdnow(path, encoding)
    wanted = list(dict.fromkeys(columns.mapped().values()))  # one column may serve two roles
    return kind, columns, _read_csv(path, wanted, encoding) if kind == "csv" else _read_parquet(path, wanted)


def _typed_orders(src: _Source, columns: OrderColumns, date_format: str | None, currency: str) -> _Orders:
    """Typed columns; raises on the first unreadable value, amounts before dates before ids."""
    n = src.rows
    if n == 0:
        raise OrderFileError(f"{src.path.name}: no order rows (the file is empty or has only a header); landing kept")
    amount = _numbers(src, columns.amount)
    seconds = _seconds(src, columns.date, date_format)
    quantity = _quantities(src, columns.quantity) if columns.quantity else pa.array(np.ones(n, np.int64))
    customer = _ids(src, columns.customer)
    line = src.lines()
    order_id = _ids(src, columns.order_id) if columns.order_id else files.prefixed_ids("L", line, 9)
    if columns.status:
        status = pa.array(src.text(columns.status).str.lower().replace(STATUS_SYNONYMS), pa.string())
    else:
        status = pa.array(["completed"] * n, pa.string())
    if columns.currency:
        order_currency = pa.array(src.text(columns.currency).str.upper(), pa.string())
    else:
        order_currency = pa.array([currency.upper()] * n, pa.string())
    return _Orders(order_id, customer, seconds, status, order_currency, amount, quantity, line)


def _landing_tables(orders: _Orders) -> dict[str, pa.Table]:
    """The non-empty landing tables, in the order they are written."""
    return {
        "orders": _orders_table(orders),
        "order_items": _items_table(orders),
        "customers": _customers(orders.customer, orders.seconds),
        "products": _products_table(),
    }


def _orders_table(orders: _Orders) -> pa.Table:
    n = len(orders.seconds)
    return files.make_table(
        "orders",
        {
            "order_id": orders.order_id,
            "customer_id": orders.customer,
            "ordered_at": format_ts(orders.seconds),
            "status": orders.status,
            "currency": orders.currency,
            "gross_amount": orders.amount,
            "discount_amount": np.zeros(n),
            "platform": pa.nulls(n, pa.string()),
        },
    )


def _items_table(orders: _Orders) -> pa.Table:
    """One line per order for the 'unknown' product; item ids carry the input line number."""
    quantity = orders.quantity
    # Missing, zero and negative quantities get a null price: staging quarantines those lines.
    unit_price = pc.divide(orders.amount, pc.if_else(pc.greater(quantity, 0), quantity.cast(pa.float64()), None))
    return files.make_table(
        "order_items",
        {
            "order_item_id": files.prefixed_ids("I", orders.line, 9),
            "order_id": orders.order_id,
            "product_id": [UNKNOWN_PRODUCT] * len(orders.seconds),
            "quantity": quantity,
            "unit_price": unit_price,
        },
    )


def _products_table() -> pa.Table:
    products = {"product_id": [UNKNOWN_PRODUCT], "product_name": ["Unknown product"], "category": ["unknown"],
                "unit_cost": [None], "list_price": [None]}  # fmt: skip
    return files.make_table("products", products)


def _write_landing(raw_dir: Path, tables: dict[str, pa.Table], months: np.ndarray) -> list[int]:
    """Writes every landing table in one swap; returns the order months written."""
    with replace_landing(raw_dir) as target:
        written = files.write_by_month(target, "orders", tables["orders"], months)
        files.write_by_month(target, "order_items", tables["order_items"], months)
        for name in ("customers", "products"):
            files.write_plain(target, name, tables[name])
        for name in EMPTY_TABLES:
            files.write_plain(target, name, contract.SCHEMAS[name].empty_table())
    return written


def _summary(
    path: Path,
    kind: str,
    columns: OrderColumns,
    src: _Source,
    orders: _Orders,
    tables: dict[str, pa.Table],
    written: list[int],
    raw_dir: Path,
) -> dict:
    ids = (columns.customer, columns.order_id)
    return {
        "source": str(path),
        "format": kind,
        "columns": columns.mapped(),
        "rows_read": src.rows,
        "row_counts": {**{name: table.num_rows for name, table in tables.items()}, **dict.fromkeys(EMPTY_TABLES, 0)},
        "first_ordered_at": seconds_text(orders.seconds.min()),
        "last_ordered_at": seconds_text(orders.seconds.max()),
        "order_months": [month_label(m) for m in written],
        "ids_trimmed": {field: k for field, k in src.trimmed.items() if k and field in ids},
        "raw_dir": str(raw_dir),
    }


def _customers(customer: pa.Array, seconds: np.ndarray) -> pa.Table:
    """One row per customer id; signup_at = first order time (rows without an id are skipped)."""
    frame = pd.DataFrame({"customer_id": customer.to_pylist(), "at": seconds}).dropna(subset=["customer_id"])
    first = frame.groupby("customer_id", sort=True)["at"].min()
    k = len(first)
    return files.make_table(
        "customers",
        {
            "customer_id": pa.array(first.index.to_list(), pa.string()),
            "signup_at": format_ts(first.to_numpy(dtype=np.int64)),
            "country": pa.nulls(k, pa.string()),
            "acquisition_channel": ["unknown"] * k,
        },
    )
