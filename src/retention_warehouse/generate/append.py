"""`generate --append-days N`: land N more days after the last landed day, continuing the same shop.

Why not re-simulate a longer window: the base run normalises its acquisition curve over its window
and draws purchases in vectorised rounds, so a longer window would change every existing row.
Instead the state at the end of the window is rebuilt by re-running only the base EVENT simulation
(no tables, no files: about 0.6 s per 250k customers), and each new day is simulated on random
streams of its own (streams.day_chunk):
  * BG/NBD is memoryless: a customer alive at the start of a day buys after an Exp(lambda) gap (in
    operational time) whatever happened before, so "alive" is all the state a customer carries;
    customers who dropped out stay out, the others keep their rate, value and basket preferences;
  * new customers arrive as Poisson(base customers x the base acquisition curve continued past
    the window), with the same attribute, order value, basket, status, discount and bad-row draws;
  * surveys: answers to base orders that the base withheld (answered after its window) land on
    their day; buyers of new days are asked at the base's rate per completed order; customers who
    drop out answer the exit survey as in the base. Spend: CAC x the day's expected acquisitions.
    No experiment assignments: the win-back experiment was assigned once, inside the window.
A day's rows depend only on the state at its start and on its own streams, and earlier appends are
replayed (events only) to rebuild that state, so appending 1 and then 1 day lands the same rows as
appending 2 days at once (in different files).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..landing import contract, files
from ..landing.timestamps import DAY, month_label, seconds_text, to_seconds
from . import bad_rows, writer
from .bad_rows import Chunk
from .catalog import CATEGORIES, affinity_rows, flat_affinity, make_catalog
from .config import Seasonality
from .customers import Customers, acquisition_weight, draw_customers
from .experiments import NEVER, Assignments
from .feedback import LATEST_ANSWER, Responses
from .marketing import spend_columns
from .orders import STATUSES, extra_orders
from .pipeline import GENERATOR, currencies, make_context
from .simulation import ChunkSim, Context, completed_orders, repeat_purchases, simulate_chunk
from .streams import Stream, day_chunk, rng
from .tables import (
    Buyers,
    Currencies,
    Numbering,
    chunk_responses,
    customer_table,
    order_tables,
    response_table,
    sim_orders,
)  # fmt: skip
from .timeutil import Window

ONE_DAY = np.ones(1)  # acquisition density of a one-day window


@dataclass
class Shop:
    """Every customer so far (index = customer number - 1) and survey answers not yet landed."""

    customers: Customers
    alive: np.ndarray  # BG/NBD dropout has not happened yet
    source: np.ndarray  # index into `sources`: which draw the customer came from
    sources: list[tuple[int, int, int, int]]  # (seed, chunk, first index, size) of each draw
    answers: list[Responses]  # customer = index; answered at or after the start of this append

    def add(self, seed: int, chunk: int, new: Customers) -> int:
        first = len(self.customers)
        self.sources.append((seed, chunk, first, len(new)))
        self.customers = Customers.concat([self.customers, new])
        self.alive = np.concatenate([self.alive, np.ones(len(new), bool)])
        self.source = np.concatenate([self.source, np.full(len(new), len(self.sources) - 1, np.int32)])
        return first

    def affinity(self, index: np.ndarray) -> np.ndarray:
        """Category preferences of customers `index`, redrawn per draw (nothing stores them)."""
        rows = np.empty((len(index), len(CATEGORIES)))
        source = self.source[index]
        for s in np.unique(source):
            seed, chunk, first, size = self.sources[s]
            at = source == s
            rows[at] = affinity_rows(rng(seed, chunk, Stream.AFFINITY), size)[index[at] - first]
        return rows


@dataclass
class Day:
    start: int  # first second of the day
    chunk: int  # streams.day_chunk(start)
    first_new: int  # customer index of the day's first new customer
    new: Customers  # the day's new customers, by signup time
    buyers: np.ndarray  # customer index of each customer in `sim`
    sim: ChunkSim  # the day's orders, indexed like `buyers`


def read_landing(raw_dir: Path) -> dict:
    """The params of a generated landing, or a clear error when there is none to continue."""
    path = raw_dir / contract.PARAMS_FILE
    hint = "run `retention-warehouse generate --orders N` first"
    if not path.exists():
        raise ValueError(f"{raw_dir} has no generated landing to continue (no {contract.PARAMS_FILE}); {hint}")
    params = json.loads(path.read_text())
    if params.get("generator") != GENERATOR or "scale" not in params:
        raise ValueError(f"{path} was not written by `retention-warehouse generate`; {hint}")
    if not any((raw_dir / "orders").glob("*/*.parquet")):
        raise ValueError(f"{raw_dir / 'orders'} has no order files to continue; {hint}")
    return params


def base_shop(ctx: Context, params: dict, since: int) -> Shop:
    """The customers at the end of the generated window, from its event simulation only."""
    scale = params["scale"]
    size, chunks = scale["chunk_customers"], scale["chunks"]
    parts, alive, answers, orders = [], [], [], 0
    for chunk in range(chunks):
        sim = simulate_chunk(ctx, chunk, size)
        if chunk == chunks - 1:  # generate cut the last chunk where the order target was reached
            sim = sim.keep(scale["customers"] - (chunks - 1) * size)
        sim = sim.by_signup()
        if since < ctx.window.end + LATEST_ANSWER:  # surveys answered after the window
            late = chunk_responses(ctx, chunk, sim, NEVER)
            answers.append(replace(late, customer=late.customer + chunk * size))
        parts.append(sim.customers)
        alive.append(~sim.dropped)
        orders += int(sim.orders_per_customer().sum())
    if orders != scale["orders_clean"]:
        raise ValueError(
            f"re-simulating the landing gives {orders} orders, its params say {scale['orders_clean']}: "
            "it was written by another version of the generator; generate it again"
        )
    sizes = [len(c) for c in parts]
    sources = [(ctx.seed, chunk, chunk * size, n) for chunk, n in enumerate(sizes)]
    shop = Shop(Customers.concat(parts), np.concatenate(alive), np.repeat(np.arange(chunks), sizes), sources, [])
    shop.answers = [a.select(a.responded_at >= since) for a in answers]
    return shop


def _arrivals(ctx: Context, shop: Shop, start: int, rate: float) -> tuple[int, Customers]:
    chunk = day_chunk(start)
    n = int(rng(ctx.seed, chunk, Stream.ARRIVALS).poisson(rate))
    new = draw_customers(ctx.seed, chunk, n, Window(start, start + DAY), ONE_DAY, ctx.params, ctx.mix)
    new = new.select(np.argsort(new.acquired_at, kind="stable"))  # ids grow with signup time
    return shop.add(ctx.seed, chunk, new), new


def simulate_day(ctx: Context, shop: Shop, start: int, rate: float) -> Day:
    """New customers (Poisson `rate`) and the purchases of everyone alive during one day."""
    chunk, end = day_chunk(start), start + DAY
    first, new = _arrivals(ctx, shop, start, rate)
    active = np.flatnonzero(shop.alive)  # includes the new customers
    c = shop.customers
    since = np.maximum(c.acquired_at[active], start)  # memoryless: the day restarts every clock
    gen = rng(ctx.seed, chunk, Stream.PURCHASES)
    cust, at, dropped = repeat_purchases(ctx.clock, gen, c.lam[active], c.p[active], since, end)
    shop.alive[active[dropped]] = False

    newcomers = np.arange(first, first + len(new))
    buyers = np.union1d(active[cust], newcomers)
    local = c.select(buyers)
    local.acquired_at = np.maximum(local.acquired_at, start)  # start of the simulated span
    natural_cust, natural_at = completed_orders(
        np.searchsorted(buyers, newcomers), new.acquired_at, np.searchsorted(buyers, active[cust]), at
    )
    gen = rng(ctx.seed, chunk, Stream.EXTRA_ORDERS)
    extra = extra_orders(gen, ctx.mix, natural_cust, natural_at, local.acquired_at, end)
    dropped_today = np.isin(buyers, active[dropped])
    sim = ChunkSim(local, dropped_today, natural_cust, natural_at, *extra, Assignments.empty())
    return Day(start, chunk, first, new, buyers, sim)


def day_answers(survey_ctx: Context, day: Day) -> Responses:
    """Surveys after the day's orders (post-order) and dropouts (exit), whenever answered."""
    answers = chunk_responses(survey_ctx, day.chunk, day.sim, NEVER)
    return replace(answers, customer=day.buyers[answers.customer])


def day_share(ctx: Context, start: int) -> float:
    """Expected share of the base window's acquisitions that falls on the day at `start`.

    The acquisition curve (growth and Q4 peak) continues past the window. Computed day by day so
    that a day's value never depends on how many days are appended with it.
    """
    season, w = Seasonality(), ctx.window
    total = acquisition_weight(w.start, np.arange(w.days, dtype=np.float64), season).sum()
    return float(acquisition_weight(w.start, np.array([(start - w.start) / DAY]), season)[0] / total)


def survey_context(ctx: Context, params: dict) -> Context:
    """Post-order surveys per buyer and day at the base's rate per completed order: the base asks
    survey_share of its customers once, about one of their orders."""
    share = ctx.mix.survey_share * params["scale"]["customers"] / params["orders_by_status"]["completed"]
    return replace(ctx, mix=replace(ctx.mix, survey_share=share))


def run_days(ctx: Context, shop: Shop, params: dict, first: int, days: int, since: int) -> list[Day]:
    """Simulate `days` days from `first`, keeping their survey answers that land from `since`."""
    survey, out = survey_context(ctx, params), []
    for start in range(first, first + days * DAY, DAY):
        out.append(simulate_day(ctx, shop, start, params["scale"]["customers"] * day_share(ctx, start)))
        if start + DAY + LATEST_ANSWER > since:
            answers = day_answers(survey, out[-1])
            shop.answers.append(answers.select(answers.responded_at >= since))
    return out


def replay(base: Context, shop: Shop, params: dict, since: int) -> None:
    """Re-run the events of earlier appends: who is alive now, and answers that land from `since`."""
    for entry in params.get("appends", []):
        before = len(shop.customers)
        first = to_seconds(dt.date.fromisoformat(entry["first_day"]))
        run_days(replace(base, seed=entry["seed"]), shop, params, first, entry["days"], since)
        if len(shop.customers) - before != entry["clean_row_counts"]["customers"]:
            raise ValueError(f"replaying the append of {entry['first_day']} does not give its recorded customers")


def next_numbers(params: dict, customers: int) -> Numbering:
    """First free id numbers: clean rows plus the bad rows that took a new id (duplicates reuse one)."""
    clean, bad = params["clean_row_counts"], params["bad_rows"]
    if customers != clean["customers"]:
        raise ValueError(f"rebuilt {customers} customers, the params record {clean['customers']}")
    reused = ("exact_duplicate", "conflicting_duplicate")
    orders = clean["orders"] + sum(n for kind, n in bad["orders"].items() if kind not in reused)
    items = clean["order_items"] + sum(bad["order_items"].values())
    return Numbering(customers + 1, orders + 1, items + 1, clean["survey_responses"] + 1)


@dataclass
class Landed:
    """Rows of one append, gathered day by day, with what the params JSON records about them."""

    tables: dict[str, list[pa.Table]]
    months: dict[str, list[np.ndarray]]  # partition keys of orders and order_items rows
    bad: dict[str, dict[str, int]]
    status: np.ndarray  # clean orders per STATUSES entry
    channels: np.ndarray  # new customers per ShopMix.channels entry

    @staticmethod
    def empty(n_channels: int) -> Landed:
        return Landed(
            {name: [] for name in contract.SCHEMAS}, {name: [] for name in contract.PARTITIONED},
            {table: dict.fromkeys(kinds, 0) for table, kinds in bad_rows.ALL_KINDS.items()},
            np.zeros(len(STATUSES), np.int64), np.zeros(n_channels, np.int64),
        )  # fmt: skip

    def add_day(self, data: Chunk, spend: pa.Table, status: np.ndarray, new: Customers) -> None:
        for name, table in (("orders", data.orders), ("order_items", data.items), ("customers", data.customers)):
            self.tables[name].append(table)
        self.months["orders"].append(data.order_month)
        self.months["order_items"].append(data.item_month)
        self.tables["marketing_spend"].append(spend)
        for table, kinds in data.counts.items():
            for kind, k in kinds.items():
                self.bad[table][kind] += k
        self.status += status
        self.channels += np.bincount(new.channel, minlength=len(self.channels))

    def rows(self) -> dict[str, int]:
        return {name: sum(t.num_rows for t in parts) for name, parts in self.tables.items()}

    def clean_rows(self) -> dict[str, int]:
        rows = self.rows()
        return {name: n - sum(self.bad.get(name, {}).values()) for name, n in rows.items()}


def _buyers(shop: Shop, days: list[Day], cur: Currencies) -> Iterator[tuple[Day, Buyers]]:
    """Per day, the order-building attributes of its buyers (preferences drawn once per append)."""
    everyone = np.unique(np.concatenate([d.buyers for d in days]))
    affinity = shop.affinity(everyone)
    for day in days:
        c = day.sim.customers
        rows = affinity[np.searchsorted(everyone, day.buyers)]
        ids = writer.id_array("C", day.buyers + 1)
        yield day, Buyers(ids, c.platform, cur.of_country[c.country], c.nu, flat_affinity(rows))


def land_days(ctx: Context, shop: Shop, days: list[Day], params: dict, num: Numbering) -> Landed:
    """Order, customer and spend rows of each day (with bad rows), on the day's own streams."""
    cur, catalog = currencies(ctx.mix), make_catalog(params["seed"])  # the landed products
    landed = Landed.empty(len(ctx.mix.channels))
    for day, buyers in _buyers(shop, days, cur):
        ids = writer.id_array("C", day.first_new + 1 + np.arange(len(day.new)))
        customers = customer_table(ctx, day.chunk, day.new, ids)
        o = order_tables(ctx, day.chunk, buyers, *sim_orders(day.sim), catalog, cur, num)
        data = Chunk(o.orders, o.order_month, o.order_seconds, o.items, o.item_month, customers, num.order, num.item)
        if o.orders.num_rows:  # a bad row is derived from a clean order of the same day
            gen = rng(ctx.seed, day.chunk, Stream.BAD_ROWS)
            wanted = bad_rows.sampled_kind_counts(gen, params["bad_row_rate"], o.orders.num_rows)
            data = bad_rows.inject(gen, data, wanted)
        num.order, num.item = data.next_order_no, data.next_item_no
        share = np.array([day_share(ctx, day.start)])
        window = Window(day.start, day.start + DAY)
        spend = spend_columns(ctx.seed, window, share, params["customers_by_channel"], ctx.mix, day.chunk)
        landed.add_day(data, files.make_table("marketing_spend", spend), o.status_counts, day.new)
    return landed


def answer_table(ctx: Context, shop: Shop, start: int, end: int, num: Numbering) -> pa.Table:
    """Survey answers landing in [start, end), by answer time (ties: base chunks, then days)."""
    answers = Responses.concat(shop.answers)
    answers = answers.select((answers.responded_at >= start) & (answers.responded_at < end))
    answers = answers.select(np.argsort(answers.responded_at, kind="stable"))
    return response_table(ctx.mix, answers, writer.id_array("C", answers.customer + 1), num)


def write_landed(raw_dir: Path, part: str, landed: Landed) -> None:
    """New files only: refuses to start when any target file exists (never rewrites one)."""
    plan = []
    for name, parts in landed.tables.items():
        if sum(t.num_rows for t in parts):
            month = np.concatenate(landed.months[name]) if name in contract.PARTITIONED else None
            plan.append((name, pa.concat_tables(parts), month))
    existing = [p for name, _, month in plan for p in files.part_files(raw_dir, name, part, month) if p.exists()]
    if existing:
        raise FileExistsError(f"{existing[0]} already exists: an earlier append of these days did not finish")
    for name, table, month in plan:
        if month is None:
            files.write_plain(raw_dir, name, table, part)
        else:
            files.write_by_month(raw_dir, name, table, month, part)


def record(raw_dir: Path, params: dict, entry: dict) -> None:
    """Append `entry` to the params JSON; the folder-wide counts grow by the appended rows."""
    params.setdefault("appends", []).append(entry)
    params["landed_until"] = entry["end_exclusive"]
    for key in ("row_counts", "clean_row_counts"):
        for name, n in entry[key].items():
            params[key][name] += n
    for table, kinds in entry["bad_rows"].items():
        for kind, n in kinds.items():
            params["bad_rows"][table][kind] += n
    writer.write_params(raw_dir, params)


def append_days(raw_dir: Path, days: int, seed: int | None = None) -> dict:
    """Land `days` more days after the last landed day; returns (and records) what was appended.

    `seed` drives the new days (default: the landing's seed); the existing customers are rebuilt
    from the landing's own seed.
    """
    if days < 1:
        raise ValueError("append days must be >= 1")
    raw_dir = Path(raw_dir)
    params = read_landing(raw_dir)
    base = make_context(params["seed"], params["window"]["start_date"], params["window"]["years"])
    ctx = base if seed is None else replace(base, seed=int(seed))
    first = to_seconds(dt.datetime.fromisoformat(params.get("landed_until", params["window"]["end_exclusive"])))
    end = first + days * DAY
    shop = base_shop(base, params, first)
    replay(base, shop, params, first)
    num = next_numbers(params, len(shop.customers))
    new_days = run_days(ctx, shop, params, first, days, first)
    landed = land_days(ctx, shop, new_days, params, num)
    landed.tables["survey_responses"].append(answer_table(ctx, shop, first, end, num))
    part = f"append-{seconds_text(first)[:10]}-00000"
    write_landed(raw_dir, part, landed)
    entry = _entry(ctx, first, days, part, landed)
    record(raw_dir, params, entry)
    return entry


def _entry(ctx: Context, first: int, days: int, part: str, landed: Landed) -> dict:
    months = np.unique(np.concatenate(landed.months["orders"] + landed.months["order_items"]))
    return {
        "seed": ctx.seed,
        "first_day": seconds_text(first)[:10],
        "days": days,
        "end_exclusive": seconds_text(first + days * DAY),
        "file_name": f"part-{part}.parquet",
        "order_months": [month_label(m) for m in months],
        "row_counts": landed.rows(),
        "clean_row_counts": landed.clean_rows(),
        "bad_rows": landed.bad,
        "orders_by_status": dict(zip(STATUSES, landed.status.tolist())),
        "customers_by_channel": dict(zip(ctx.mix.channels, landed.channels.tolist())),
    }
