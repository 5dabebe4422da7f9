"""Turn one simulated chunk into landing-zone Arrow tables (ids, text timestamps, amounts)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..landing.files import make_table
from ..landing.timestamps import DAY, format_ts, month_key, seconds_text
from .bad_rows import Chunk
from .catalog import Catalog, Lines, draw_affinity
from .config import ShopMix
from .customers import Customers
from .experiments import Assignments, experiment_id
from .feedback import Responses, surveys
from .orders import COMPLETED, STATUSES, assemble_orders
from .simulation import ChunkSim, Context
from .streams import Stream, rng
from .writer import id_array, lookup, nullable_int


@dataclass
class Numbering:
    """Next free (1-based) number per id prefix; ids are global across chunks."""

    customer: int = 1
    order: int = 1
    item: int = 1
    response: int = 1
    assignment: int = 1


@dataclass
class Currencies:
    codes: list[str]
    fx: np.ndarray  # USD per unit, aligned with codes
    of_country: np.ndarray  # currency index per ShopMix.countries index


@dataclass
class ChunkTables:
    data: Chunk  # customers, orders, items (+ what bad-row injection needs)
    surveys: pa.Table
    assignments: pa.Table
    status_counts: np.ndarray  # clean orders per STATUSES entry
    channel_counts: np.ndarray  # customers per ShopMix.channels entry


@dataclass
class Buyers:
    """Attributes of the customers that order rows point to (row i = customer index i)."""

    ids: pa.Array  # customer_id
    platform: np.ndarray  # preferred platform
    currency: np.ndarray  # index into Currencies.codes
    nu: np.ndarray  # Gamma-Gamma rate of the order value
    affinity: np.ndarray  # catalog.draw_affinity layout


@dataclass
class OrderTables:
    orders: pa.Table
    order_month: np.ndarray
    order_seconds: np.ndarray
    items: pa.Table
    item_month: np.ndarray
    status_counts: np.ndarray  # clean orders per STATUSES entry


def build_tables(
    ctx: Context, chunk: int, sim: ChunkSim, catalog: Catalog, cur: Currencies, num: Numbering
) -> ChunkTables:
    c = sim.customers
    n = len(c)
    customer_ids = id_array("C", num.customer + np.arange(n))
    customers = customer_table(ctx, chunk, c, customer_ids)
    affinity = draw_affinity(rng(ctx.seed, chunk, Stream.AFFINITY), n)
    buyers = Buyers(customer_ids, c.platform, cur.of_country[c.country], c.nu, affinity)
    o = order_tables(ctx, chunk, buyers, *sim_orders(sim), catalog, cur, num)
    resp = chunk_responses(ctx, chunk, sim, ctx.window.end)
    survey_table = response_table(ctx.mix, resp, customer_ids.take(pa.array(resp.customer)), num)
    assignment_table = _assignment_table(ctx, sim.assignments, customer_ids, num)
    num.customer += n
    data = Chunk(o.orders, o.order_month, o.order_seconds, o.items, o.item_month, customers, num.order, num.item)
    return ChunkTables(
        data, survey_table, assignment_table, o.status_counts, np.bincount(c.channel, minlength=len(ctx.mix.channels))
    )


def customer_table(ctx: Context, chunk: int, c: Customers, ids: pa.Array) -> pa.Table:
    gen = rng(ctx.seed, chunk, Stream.SIGNUP)
    signup = np.maximum(ctx.window.start, c.acquired_at - gen.integers(0, 3 * DAY, len(c)))
    mix = ctx.mix
    return make_table(
        "customers",
        {
            "customer_id": ids,
            "signup_at": format_ts(signup),
            "country": lookup(list(mix.countries), c.country),
            "acquisition_channel": lookup(list(mix.channels), c.channel),
        },
    )


def sim_orders(sim: ChunkSim) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer, seconds, status) of all clean orders: natural, win-back and cancelled/returned."""
    a = sim.assignments
    added = a.added_at >= 0
    order_cust = np.concatenate([sim.natural_cust, a.customer[added], sim.extra_cust])
    order_at = np.concatenate([sim.natural_at, a.added_at[added], sim.extra_at])
    status = np.concatenate([np.full(len(sim.natural_cust) + added.sum(), COMPLETED, np.int8), sim.extra_status])
    return order_cust, order_at, status


def order_tables(
    ctx: Context, chunk: int, buyers: Buyers, order_cust: np.ndarray, order_at: np.ndarray, status: np.ndarray,
    catalog: Catalog, cur: Currencies, num: Numbering,
) -> OrderTables:  # fmt: skip
    seed = ctx.seed
    gens = {
        "attributes": rng(seed, chunk, Stream.ORDER_ATTRIBUTES),
        "values": rng(seed, chunk, Stream.ORDER_VALUES),
        "items": rng(seed, chunk, Stream.ITEMS),
    }
    rows = assemble_orders(
        gens, ctx.mix, catalog, buyers.affinity, order_cust, order_at, status,
        buyers.platform, buyers.currency, buyers.nu, ctx.params.p_gg, cur.fx,
    )  # fmt: skip
    order_ids = id_array("O", num.order + np.arange(len(rows)))
    orders = make_table(
        "orders",
        {
            "order_id": order_ids,
            "customer_id": buyers.ids.take(pa.array(rows.customer)),
            "ordered_at": format_ts(rows.ordered_at),
            "status": lookup(STATUSES, rows.status),
            "currency": lookup(cur.codes, rows.currency),
            "gross_amount": rows.gross_cents / 100.0,
            "discount_amount": rows.discount_cents / 100.0,
            "platform": lookup(ctx.mix.platforms, rows.platform),
        },
    )
    num.order += len(rows)
    items = _item_table(rows.lines, order_ids, catalog, num)
    month = month_key(rows.ordered_at)
    counts = np.bincount(rows.status, minlength=len(STATUSES))
    return OrderTables(orders, month, rows.ordered_at, items, month[rows.lines.order], counts)


def _item_table(lines: Lines, order_ids: pa.Array, catalog: Catalog, num: Numbering) -> pa.Table:
    table = make_table(
        "order_items",
        {
            "order_item_id": id_array("I", num.item + np.arange(len(lines.order))),
            "order_id": order_ids.take(pa.array(lines.order)),
            "product_id": pa.array(catalog.product_id).take(pa.array(lines.product)),
            "quantity": lines.quantity,
            "unit_price": lines.unit_cents / 100.0,
        },
    )
    num.item += len(lines.order)
    return table


def chunk_responses(ctx: Context, chunk: int, sim: ChunkSim, window_end: int) -> Responses:
    """Surveys of a chunk answered before `window_end` (later answers are not exported yet)."""
    # Post-order surveys may follow any completed order, including a win-back order.
    a = sim.assignments
    added = a.added_at >= 0
    comp_cust = np.concatenate([sim.natural_cust, a.customer[added]])
    comp_at = np.concatenate([sim.natural_at, a.added_at[added]])
    by_cust = np.lexsort((comp_at, comp_cust))
    last_natural = sim.customers.acquired_at.copy()
    np.maximum.at(last_natural, sim.natural_cust, sim.natural_at)
    return surveys(
        rng(ctx.seed, chunk, Stream.SURVEYS), ctx.mix, sim.dropped, comp_cust[by_cust], comp_at[by_cust],
        last_natural, window_end,
    )  # fmt: skip


def response_table(mix: ShopMix, resp: Responses, customer_ids: pa.Array, num: Numbering) -> pa.Table:
    """`customer_ids` holds one id per response."""
    table = make_table(
        "survey_responses",
        {
            "response_id": id_array("R", num.response + np.arange(len(resp))),
            "customer_id": customer_ids,
            "responded_at": format_ts(resp.responded_at),
            "nps_score": nullable_int(resp.nps),
            "csat_score": nullable_int(resp.csat),
            "cancellation_reason": pa.array(
                [None] + list(mix.cancellation_reasons), pa.string()
            ).take(pa.array(resp.reason + 1)),
        },
    )
    num.response += len(resp)
    return table


def _assignment_table(ctx: Context, a: Assignments, customer_ids: pa.Array, num: Numbering) -> pa.Table:
    k = len(a.customer)
    table = make_table(
        "experiment_assignments",
        {
            "assignment_id": id_array("A", num.assignment + np.arange(k)),
            "experiment_id": [experiment_id(ctx.assigned_at)] * k,
            "customer_id": customer_ids.take(pa.array(a.customer)),
            "variant": lookup(("control", "treatment"), a.treated.astype(np.int64)),
            "assigned_at": [seconds_text(ctx.assigned_at)] * k,
        },
    )
    num.assignment += k
    return table
