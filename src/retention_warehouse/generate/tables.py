"""Turn one simulated chunk into landing-zone Arrow tables (ids, text timestamps, amounts)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .bad_rows import Chunk
from .catalog import Catalog, draw_affinity
from .experiments import experiment_id
from .feedback import surveys
from .orders import COMPLETED, STATUSES, assemble_orders
from .simulation import ChunkSim, Context
from .streams import Stream, rng
from .timeutil import DAY, format_ts, month_key, seconds_text
from .writer import id_array, lookup, make_table, nullable_int


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


def build_tables(
    ctx: Context, chunk: int, sim: ChunkSim, catalog: Catalog, cur: Currencies, num: Numbering
) -> ChunkTables:
    seed, mix, c = ctx.seed, ctx.mix, sim.customers
    n = len(c)
    customer_ids = id_array("C", num.customer + np.arange(n))

    gen = rng(seed, chunk, Stream.SIGNUP)
    signup = np.maximum(ctx.window.start, c.acquired_at - gen.integers(0, 3 * DAY, n))
    customers = make_table(
        "customers",
        {
            "customer_id": customer_ids,
            "signup_at": format_ts(signup),
            "country": lookup(list(mix.countries), c.country),
            "acquisition_channel": lookup(list(mix.channels), c.channel),
        },
    )

    a = sim.assignments
    added = a.added_at >= 0
    order_cust = np.concatenate([sim.natural_cust, a.customer[added], sim.extra_cust])
    order_at = np.concatenate([sim.natural_at, a.added_at[added], sim.extra_at])
    status = np.concatenate([np.full(len(sim.natural_cust) + added.sum(), COMPLETED, np.int8), sim.extra_status])
    gens = {
        "attributes": rng(seed, chunk, Stream.ORDER_ATTRIBUTES),
        "values": rng(seed, chunk, Stream.ORDER_VALUES),
        "items": rng(seed, chunk, Stream.ITEMS),
    }
    affinity = draw_affinity(rng(seed, chunk, Stream.AFFINITY), n)
    rows = assemble_orders(
        gens, mix, catalog, affinity, order_cust, order_at, status,
        c.platform, cur.of_country[c.country], c.nu, ctx.params.p_gg, cur.fx,
    )  # fmt: skip
    order_ids = id_array("O", num.order + np.arange(len(rows)))
    orders = make_table(
        "orders",
        {
            "order_id": order_ids,
            "customer_id": customer_ids.take(pa.array(rows.customer)),
            "ordered_at": format_ts(rows.ordered_at),
            "status": lookup(STATUSES, rows.status),
            "currency": lookup(cur.codes, rows.currency),
            "gross_amount": rows.gross_cents / 100.0,
            "discount_amount": rows.discount_cents / 100.0,
            "platform": lookup(mix.platforms, rows.platform),
        },
    )
    lines = rows.lines
    items = make_table(
        "order_items",
        {
            "order_item_id": id_array("I", num.item + np.arange(len(lines.order))),
            "order_id": order_ids.take(pa.array(lines.order)),
            "product_id": pa.array(catalog.product_id).take(pa.array(lines.product)),
            "quantity": lines.quantity,
            "unit_price": lines.unit_cents / 100.0,
        },
    )
    order_month = month_key(rows.ordered_at)

    # Post-order surveys may follow any completed order, including a win-back order.
    comp_cust = np.concatenate([sim.natural_cust, a.customer[added]])
    comp_at = np.concatenate([sim.natural_at, a.added_at[added]])
    by_cust = np.lexsort((comp_at, comp_cust))
    last_natural = c.acquired_at.copy()
    np.maximum.at(last_natural, sim.natural_cust, sim.natural_at)
    resp = surveys(
        rng(seed, chunk, Stream.SURVEYS), mix, sim.dropped, comp_cust[by_cust], comp_at[by_cust],
        last_natural, ctx.window.end,
    )  # fmt: skip
    survey_table = make_table(
        "survey_responses",
        {
            "response_id": id_array("R", num.response + np.arange(len(resp))),
            "customer_id": customer_ids.take(pa.array(resp.customer)),
            "responded_at": format_ts(resp.responded_at),
            "nps_score": nullable_int(resp.nps),
            "csat_score": nullable_int(resp.csat),
            "cancellation_reason": pa.array(
                [None] + list(mix.cancellation_reasons), pa.string()
            ).take(pa.array(resp.reason + 1)),
        },
    )
    k = len(a.customer)
    assignment_table = make_table(
        "experiment_assignments",
        {
            "assignment_id": id_array("A", num.assignment + np.arange(k)),
            "experiment_id": [experiment_id(ctx.assigned_at)] * k,
            "customer_id": customer_ids.take(pa.array(a.customer)),
            "variant": lookup(("control", "treatment"), a.treated.astype(np.int64)),
            "assigned_at": [seconds_text(ctx.assigned_at)] * k,
        },
    )

    num.customer += n
    num.order += len(rows)
    num.item += len(lines.order)
    num.response += len(resp)
    num.assignment += k
    data = Chunk(orders, order_month, rows.ordered_at, items, order_month[lines.order], customers, num.order, num.item)
    return ChunkTables(
        data,
        survey_table,
        assignment_table,
        np.bincount(rows.status, minlength=len(STATUSES)),
        np.bincount(c.channel, minlength=len(mix.channels)),
    )
