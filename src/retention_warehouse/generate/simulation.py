"""Event simulation for one chunk of customers: purchases, non-purchase orders, experiment.

Only event times are simulated here; values, lines and text columns are added (in tables.py)
after the chunk is cut to the customers needed to reach the requested order count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landing.timestamps import DAY
from .config import ExperimentDesign, ProcessParams, ShopMix
from .customers import Customers, draw_customers
from .experiments import Assignments, assign
from .orders import extra_orders
from .purchase_process import expected_repeat_purchases, simulate_repeat_purchases
from .streams import Stream, rng
from .timeutil import SeasonalClock, Window


@dataclass
class Context:
    """Everything that is the same for all chunks of one run."""

    seed: int
    window: Window
    density: np.ndarray
    clock: SeasonalClock
    params: ProcessParams
    mix: ShopMix
    design: ExperimentDesign
    assigned_at: int


@dataclass
class ChunkSim:
    customers: Customers
    dropped: np.ndarray  # BG/NBD dropout happened inside the window
    natural_cust: np.ndarray  # completed BG/NBD orders, including the first (acquisition) order
    natural_at: np.ndarray
    extra_cust: np.ndarray  # cancelled / returned orders
    extra_at: np.ndarray
    extra_status: np.ndarray
    assignments: Assignments

    def orders_per_customer(self) -> np.ndarray:
        n = len(self.customers)
        added = self.assignments.customer[self.assignments.added_at >= 0]
        return (
            np.bincount(self.natural_cust, minlength=n)
            + np.bincount(self.extra_cust, minlength=n)
            + np.bincount(added, minlength=n)
        )

    def keep(self, n: int) -> ChunkSim:
        """The first n customers and their events (customers are iid, so any prefix is fair)."""
        nat, extra = self.natural_cust < n, self.extra_cust < n
        return ChunkSim(
            self.customers.take(n),
            self.dropped[:n],
            self.natural_cust[nat],
            self.natural_at[nat],
            self.extra_cust[extra],
            self.extra_at[extra],
            self.extra_status[extra],
            self.assignments.keep(n),
        )

    def by_signup(self) -> ChunkSim:
        """Renumber customers in acquisition order, so ids grow with signup time within a chunk."""
        perm = np.argsort(self.customers.acquired_at, kind="stable")
        rank = np.empty_like(perm)
        rank[perm] = np.arange(len(perm))
        a = self.assignments
        order = np.argsort(rank[a.customer], kind="stable")
        return ChunkSim(
            self.customers.select(perm),
            self.dropped[perm],
            rank[self.natural_cust],
            self.natural_at,
            rank[self.extra_cust],
            self.extra_at,
            self.extra_status,
            Assignments(*(v[order] for v in (rank[a.customer], a.treated, a.added_at, a.natural_next))),
        )


def repeat_purchases(
    clock: SeasonalClock, gen: np.random.Generator, lam: np.ndarray, p: np.ndarray, start: np.ndarray, end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD repeat purchases of customers alive at `start` (seconds) until `end`, in calendar seconds.

    Simulated in operational time and mapped back. Returns (customer index, seconds, dropped).
    """
    tau0 = clock.tau(start / DAY)
    horizon = clock.tau(np.float64(end) / DAY) - tau0
    cust, days, dropped = simulate_repeat_purchases(gen, lam, p, horizon)
    at = np.floor(clock.inverse(tau0[cust] + days) * DAY).astype(np.int64)
    return cust, np.clip(at, start[cust], end - 1), dropped  # clip: float safety only


def completed_orders(first_cust, first_at, repeat_cust, repeat_at) -> tuple[np.ndarray, np.ndarray]:
    """First (acquisition) and repeat purchases, sorted by customer then time."""
    cust = np.concatenate([first_cust, repeat_cust])
    at = np.concatenate([first_at, repeat_at])
    order = np.lexsort((at, cust))
    return cust[order], at[order]


def simulate_chunk(ctx: Context, chunk: int, n: int) -> ChunkSim:
    customers = draw_customers(ctx.seed, chunk, n, ctx.window, ctx.density, ctx.params, ctx.mix)
    gen = rng(ctx.seed, chunk, Stream.PURCHASES)
    cust, repeat_at, dropped = repeat_purchases(
        ctx.clock, gen, customers.lam, customers.p, customers.acquired_at, ctx.window.end
    )
    natural_cust, natural_at = completed_orders(np.arange(n), customers.acquired_at, cust, repeat_at)

    assignments = assign(ctx.seed, chunk, ctx.design, ctx.assigned_at, n, natural_cust, natural_at)
    gen = rng(ctx.seed, chunk, Stream.EXTRA_ORDERS)
    extra = extra_orders(gen, ctx.mix, natural_cust, natural_at, customers.acquired_at, ctx.window.end)
    return ChunkSim(customers, dropped, natural_cust, natural_at, *extra, assignments)


def expected_orders_per_customer(ctx: Context) -> float:
    """Closed-form mean orders per customer over the acquisition curve (sizes the chunks)."""
    day_mid = ctx.window.start / DAY + np.arange(len(ctx.density)) + 0.5
    horizon = ctx.clock.tau(np.float64(ctx.window.end) / DAY) - ctx.clock.tau(day_mid)
    p = ctx.params
    repeats = float(np.sum(ctx.density * expected_repeat_purchases(horizon / 7.0, p.r, p.alpha, p.a, p.b)))
    return (1.0 + repeats) / (1.0 - ctx.mix.cancelled_share - ctx.mix.returned_share)
