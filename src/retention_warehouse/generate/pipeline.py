"""Orchestration: size the run, simulate and write chunk by chunk, then the global tables.

Customers are iid, so the run draws chunks of customers and stops at the first customer whose
orders bring the clean order count to the target: the order count lands on the target (plus at
most one customer's orders) while nothing about the customers depends on the scale. Each chunk is
written before the next is simulated, so memory is bounded by the chunk size, not the scale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..fx_rates import fx_seed_path, load_fx_rates
from ..landing import contract, files, replace_landing
from ..landing.timestamps import month_label, seconds_text
from . import bad_rows, writer
from .catalog import make_catalog
from .config import ExperimentDesign, ProcessParams, Seasonality, ShopMix, as_dict
from .customers import acquisition_density
from .experiments import assignment_time, experiment_id, summarize
from .marketing import spend_columns
from .orders import STATUSES
from .simulation import Context, expected_orders_per_customer, simulate_chunk
from .streams import Stream, rng
from .tables import ChunkTables, Currencies, Numbering, build_tables
from .timeutil import SeasonalClock, make_window, peak_day

CHUNK_CUSTOMERS = 250_000
GENERATOR = "retention_warehouse.generate"  # the params JSON's mark of a generated landing
TABLES = tuple(contract.SCHEMAS)


def make_context(seed: int, start_date, years: int) -> Context:
    """The run's window, curves and parameters (the config defaults; recorded in the params JSON)."""
    window = make_window(start_date, years)
    season, design = Seasonality(), ExperimentDesign()
    return Context(
        seed=int(seed),
        window=window,
        density=acquisition_density(window, season),
        clock=SeasonalClock(season.purchase_warp_amplitude, peak_day(season.peak_month_day)),
        params=ProcessParams(),
        mix=ShopMix(),
        design=design,
        assigned_at=assignment_time(window, design),
    )


def currencies(mix: ShopMix) -> Currencies:
    rates = load_fx_rates()
    codes = sorted(set(mix.country_currency.values()))
    missing = [c for c in codes if c not in rates]
    if missing:
        raise ValueError(f"{fx_seed_path()} has no rate for {missing}")
    return Currencies(
        codes,
        np.array([rates[c] for c in codes]),
        np.array([codes.index(mix.country_currency[c]) for c in mix.countries]),
    )


def _chunk_tables(t: ChunkTables) -> dict:
    d = t.data
    return {"customers": d.customers, "orders": d.orders, "order_items": d.items,
            "survey_responses": t.surveys, "experiment_assignments": t.assignments}  # fmt: skip


def _write_chunk(raw_dir: Path, part: int, t: ChunkTables) -> set[int]:
    d = t.data
    files.write_plain(raw_dir, "customers", d.customers, part)
    months = set(files.write_by_month(raw_dir, "orders", d.orders, d.order_month, part))
    months |= set(files.write_by_month(raw_dir, "order_items", d.items, d.item_month, part))
    if part == 0 or t.surveys.num_rows:
        files.write_plain(raw_dir, "survey_responses", t.surveys, part)
    if part == 0 or t.assignments.num_rows:
        files.write_plain(raw_dir, "experiment_assignments", t.assignments, part)
    return months


def generate(
    raw_dir: Path,
    orders: int,
    seed: int = 42,
    start_date="2023-01-01",
    years: int = 3,
    bad_row_rate: float = 0.002,
    *,
    chunk_customers: int = CHUNK_CUSTOMERS,
) -> dict:
    """Replace the landing zone in `raw_dir` with about `orders` clean synthetic orders (as one
    step: retention_warehouse.landing); returns the params dict."""
    with replace_landing(raw_dir) as target:
        return _generate_into(target, orders, seed, start_date, years, bad_row_rate, chunk_customers)


def _generate_into(
    raw_dir: Path, orders: int, seed: int, start_date, years: int, bad_row_rate: float, chunk_customers: int
) -> dict:
    if orders < 1:
        raise ValueError("orders must be >= 1")
    if not 0 <= bad_row_rate < 0.5:
        raise ValueError("bad_row_rate must be in [0, 0.5)")
    ctx = make_context(seed, start_date, years)
    window, mix, params, design = ctx.window, ctx.mix, ctx.params, ctx.design
    cur = currencies(mix)
    catalog = make_catalog(ctx.seed)
    per_customer = expected_orders_per_customer(ctx)
    chunk_size = max(16, min(int(chunk_customers), int(orders / per_customer * 1.1) + 64))

    files.write_plain(raw_dir, "products", files.make_table("products", catalog.columns()))

    num = Numbering()
    clean = {t: 0 for t in TABLES}
    written = {t: 0 for t in TABLES}
    bad = {table: {kind: 0 for kind in kinds} for table, kinds in bad_rows.ALL_KINDS.items()}
    status_counts = np.zeros(len(STATUSES), np.int64)
    channel_counts = np.zeros(len(mix.channels), np.int64)
    experiment_parts, months, chunk = [], set(), 0
    while clean["orders"] < orders:
        sim = simulate_chunk(ctx, chunk, chunk_size)
        reached = np.cumsum(sim.orders_per_customer()) >= orders - clean["orders"]
        if reached.any():
            sim = sim.keep(int(np.argmax(reached)) + 1)
        sim = sim.by_signup()
        t = build_tables(ctx, chunk, sim, catalog, cur, num)
        for name, table in _chunk_tables(t).items():
            clean[name] += table.num_rows
        wanted = bad_rows.kind_counts(bad_row_rate, t.data.orders.num_rows, chunk == 0)
        t.data = bad_rows.inject(rng(ctx.seed, chunk, Stream.BAD_ROWS), t.data, wanted)
        num.order, num.item = t.data.next_order_no, t.data.next_item_no
        for table, kinds in t.data.counts.items():
            for kind, k in kinds.items():
                bad[table][kind] += k
        months |= _write_chunk(raw_dir, chunk, t)
        for name, table in _chunk_tables(t).items():
            written[name] += table.num_rows
        status_counts += t.status_counts
        channel_counts += t.channel_counts
        experiment_parts.append(sim.assignments)
        chunk += 1

    acquired = dict(zip(mix.channels, channel_counts.tolist()))
    spend = files.make_table("marketing_spend", spend_columns(ctx.seed, window, ctx.density, acquired, mix))
    files.write_plain(raw_dir, "marketing_spend", spend)
    for name, rows in (("products", len(catalog.product_id)), ("marketing_spend", spend.num_rows)):
        clean[name] = written[name] = rows

    result = {
        "generator": GENERATOR,
        "seed": ctx.seed,
        "scale": {
            "orders_requested": int(orders),
            "orders_clean": clean["orders"],
            "customers": clean["customers"],
            "expected_orders_per_customer": per_customer,
            "chunk_customers": chunk_size,
            "chunks": chunk,
        },
        "window": {
            "start": seconds_text(window.start),
            "end_exclusive": seconds_text(window.end),
            "start_date": seconds_text(window.start)[:10],
            "years": int(years),
            "order_months": [month_label(m) for m in sorted(months)],
        },
        "bgnbd": {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b, "time_unit": "week"},
        "gamma_gamma": {
            "p": params.p_gg,
            "q": params.q,
            "gamma": params.gamma,
            "currency": "USD",
            "value": "gross amount of a completed order in USD (before discount)",
        },
        "process_notes": (
            "Completed orders are BG/NBD (dropout coin after each repeat purchase only) in a seasonal "
            "operational time tau(t) = t + A*year/(2*pi)*sin(2*pi*(t - peak)/year); calendar-time counts "
            "are BG/NBD with T shifted by at most A*year/(2*pi) days. Cancelled/returned orders and "
            "win-back orders are added on top; bad rows are added after that."
        ),
        "seasonality": as_dict(Seasonality()),
        "shop_mix": as_dict(mix),
        "fx_rates_to_usd": dict(zip(cur.codes, cur.fx.tolist())),
        "orders_by_status": dict(zip(STATUSES, status_counts.tolist())),
        "customers_by_channel": acquired,
        "experiment": {
            "experiment_id": experiment_id(ctx.assigned_at),
            "assigned_at": seconds_text(ctx.assigned_at),
            "design": as_dict(design),
            "design_uplift": design.design_uplift,
            **summarize(experiment_parts, design, ctx.assigned_at),
        },
        "bad_row_rate": bad_row_rate,
        "bad_rows": bad,
        "clean_row_counts": clean,
        "row_counts": written,
    }
    writer.write_params(raw_dir, result)
    return result
