"""Rows that staging must quarantine, ADDED to a chunk's clean rows (the process stays clean).

Each bad row is derived from a distinct clean source row of the same chunk and written into the
source's order_month partition (the export batch it arrived in), also when its own ordered_at is
unparseable or in 2099. Kinds are mutually exclusive, so each can be counted independently:

orders:  null_customer_id, unknown_customer_id (never a customer), unparseable_ordered_at,
         future_ordered_at (2099), negative_gross_amount, unknown_currency ('XXX'),
         exact_duplicate (identical copy), conflicting_duplicate (same order_id, gross + 10%+1)
customers:   duplicate_customer_id (same id, different country and channel)
order_items: unknown_order_id (order never exported), negative_quantity (line on a clean order)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..landing.timestamps import DAY, format_ts, to_seconds
from .writer import ID_WIDTH, id_array

ORDER_KINDS = (
    "null_customer_id",
    "unknown_customer_id",
    "unparseable_ordered_at",
    "future_ordered_at",
    "negative_gross_amount",
    "unknown_currency",
    "exact_duplicate",
    "conflicting_duplicate",
)
CUSTOMER_KINDS = ("duplicate_customer_id",)
ITEM_KINDS = ("unknown_order_id", "negative_quantity")
ALL_KINDS = {"orders": ORDER_KINDS, "customers": CUSTOMER_KINDS, "order_items": ITEM_KINDS}
UNPARSEABLE = ("2024-13-45 99:00:00", "not a date")
FUTURE_START = to_seconds(dt.date(2099, 1, 1))


def kind_counts(rate: float, chunk_orders: int, first_chunk: bool) -> dict[str, dict[str, int]]:
    """About rate * orders bad rows in total, spread evenly over the kinds; >= 1 each overall."""
    n_kinds = sum(len(k) for k in ALL_KINDS.values())
    each = round(rate * chunk_orders / n_kinds)
    if rate > 0 and first_chunk:
        each = max(each, 1)
    return {table: {kind: each for kind in kinds} for table, kinds in ALL_KINDS.items()}


def sampled_kind_counts(gen: np.random.Generator, rate: float, orders: int) -> dict[str, dict[str, int]]:
    """Poisson(rate * orders / kinds) rows of each kind: the expected rate of kind_counts, also
    for appended days too small for rounding to give a single bad row."""
    n_kinds = sum(len(k) for k in ALL_KINDS.values())
    draws = iter(gen.poisson(rate * orders / n_kinds, n_kinds).tolist())
    return {table: {kind: next(draws) for kind in kinds} for table, kinds in ALL_KINDS.items()}


@dataclass
class Chunk:
    """A chunk's tables plus what bad-row construction needs next to them."""

    orders: pa.Table
    order_month: np.ndarray
    order_seconds: np.ndarray
    items: pa.Table
    item_month: np.ndarray
    customers: pa.Table
    next_order_no: int  # first unused order number (bad rows take new ids from here)
    next_item_no: int
    counts: dict = field(default_factory=dict)


def _sample(gen: np.random.Generator, population: int, k: int) -> np.ndarray:
    return np.sort(gen.choice(population, size=min(k, population), replace=False))


def _replace(table: pa.Table, name: str, values) -> pa.Table:
    i = table.schema.get_field_index(name)
    field_ = table.schema.field(i)
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return table.set_column(i, field_, values.cast(field_.type))
    return table.set_column(i, field_, pa.array(values, field_.type))


def inject(gen: np.random.Generator, chunk: Chunk, wanted: dict[str, dict[str, int]]) -> Chunk:
    counts = {table: {} for table in ALL_KINDS}
    bad_orders, bad_order_months = [], []
    sources = _sample(gen, chunk.orders.num_rows, sum(wanted["orders"].values()))
    gen.shuffle(sources)
    start, order_no = 0, chunk.next_order_no
    for kind in ORDER_KINDS:
        idx = sources[start : start + wanted["orders"][kind]]
        start += len(idx)
        k = len(idx)
        rows = chunk.orders.take(pa.array(idx, pa.int64()))
        if kind not in ("exact_duplicate", "conflicting_duplicate"):
            rows = _replace(rows, "order_id", id_array("O", order_no + np.arange(k)))
            order_no += k
        if kind == "null_customer_id":
            rows = _replace(rows, "customer_id", pa.nulls(k, pa.string()))
        elif kind == "unknown_customer_id":
            width = ID_WIDTH["C"] + 1  # longer than any real customer id
            rows = _replace(rows, "customer_id", id_array("C", gen.integers(0, 10**width, k), width))
        elif kind == "unparseable_ordered_at":
            rows = _replace(rows, "ordered_at", [UNPARSEABLE[i % 2] for i in range(k)])
        elif kind == "future_ordered_at":
            offset = (chunk.order_seconds[idx] - chunk.order_seconds.min()) % (365 * DAY)
            rows = _replace(rows, "ordered_at", format_ts(FUTURE_START + offset))
        elif kind == "negative_gross_amount":
            rows = _replace(rows, "gross_amount", pc.negate(rows["gross_amount"]))
            rows = _replace(rows, "discount_amount", np.zeros(k))
        elif kind == "unknown_currency":
            rows = _replace(rows, "currency", ["XXX"] * k)
        elif kind == "conflicting_duplicate":
            gross = np.asarray(rows["gross_amount"].to_numpy(), dtype=np.float64)
            rows = _replace(rows, "gross_amount", np.round(gross * 1.1 + 1.0, 2))
        bad_orders.append(rows)
        bad_order_months.append(chunk.order_month[idx])
        counts["orders"][kind] = k

    bad_items, bad_item_months = [], []
    sources = _sample(gen, chunk.items.num_rows, sum(wanted["order_items"].values()))
    gen.shuffle(sources)
    start, item_no = 0, chunk.next_item_no
    for kind in ITEM_KINDS:
        idx = sources[start : start + wanted["order_items"][kind]]
        start += len(idx)
        k = len(idx)
        rows = chunk.items.take(pa.array(idx, pa.int64()))
        rows = _replace(rows, "order_item_id", id_array("I", item_no + np.arange(k)))
        item_no += k
        if kind == "unknown_order_id":
            width = ID_WIDTH["O"] + 1  # longer than any real order id
            rows = _replace(rows, "order_id", id_array("O", gen.integers(0, 10**width, k), width))
        else:
            rows = _replace(rows, "quantity", pc.negate(rows["quantity"]))
        bad_items.append(rows)
        bad_item_months.append(chunk.item_month[idx])
        counts["order_items"][kind] = k

    idx = _sample(gen, chunk.customers.num_rows, wanted["customers"]["duplicate_customer_id"])
    dup = chunk.customers.take(pa.array(idx, pa.int64()))
    dup = _replace(dup, "country", pc.if_else(pc.equal(dup["country"], "US"), "GB", "US"))
    channel = dup["acquisition_channel"]
    dup = _replace(dup, "acquisition_channel", pc.if_else(pc.equal(channel, "direct"), "referral", "direct"))
    counts["customers"]["duplicate_customer_id"] = len(idx)

    return Chunk(
        orders=pa.concat_tables([chunk.orders, *bad_orders]),
        order_month=np.concatenate([chunk.order_month, *bad_order_months]),
        order_seconds=chunk.order_seconds,
        items=pa.concat_tables([chunk.items, *bad_items]),
        item_month=np.concatenate([chunk.item_month, *bad_item_months]),
        customers=pa.concat_tables([chunk.customers, dup]),
        next_order_no=order_no,
        next_item_no=item_no,
        counts=counts,
    )
