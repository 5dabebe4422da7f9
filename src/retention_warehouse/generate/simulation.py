"""Event simulation for one chunk of customers: purchases, non-purchase orders, experiment.

Only event times are simulated here; values, lines and text columns are added (in tables.py)
after the chunk is cut to the customers needed to reach the requested order count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ExperimentDesign, ProcessParams, ShopMix
from .customers import Customers, draw_customers
from .experiments import Assignments, assign
from .orders import extra_orders
from .purchase_process import expected_repeat_purchases, simulate_repeat_purchases
from .streams import Stream, rng
from .timeutil import DAY, SeasonalClock, Window


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

    def keep(self, n: int) -> "ChunkSim":
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

    def by_signup(self) -> "ChunkSim":
        """Renumber customers in acquisition order, so ids grow with signup time within a chunk."""
        perm = np.argsort(self.customers.acquired_at, kind="stable")
        rank = np.empty_like(perm)
        rank[perm] = np.arange(len(perm))
        a = self.assignments
        order = np.argsort(rank[a.customer], kind="stable")
        return ChunkSim(
            Customers(**{k: v[perm] for k, v in vars(self.customers).items()}),
            self.dropped[perm],
            rank[self.natural_cust],
            self.natural_at,
            rank[self.extra_cust],
            self.extra_at,
            self.extra_status,
            Assignments(*(v[order] for v in (rank[a.customer], a.treated, a.added_at, a.natural_next))),
        )


def simulate_chunk(ctx: Context, chunk: int, n: int) -> ChunkSim:
    customers = draw_customers(ctx.seed, chunk, n, ctx.window, ctx.density, ctx.params, ctx.mix)
    # BG/NBD in operational time from acquisition to the window end, mapped back to calendar time.
    tau0 = ctx.clock.tau(customers.acquired_at / DAY)
    horizon = ctx.clock.tau(np.float64(ctx.window.end) / DAY) - tau0
    gen = rng(ctx.seed, chunk, Stream.PURCHASES)
    cust, days, dropped = simulate_repeat_purchases(gen, customers.lam, customers.p, horizon)
    repeat_at = np.floor(ctx.clock.inverse(tau0[cust] + days) * DAY).astype(np.int64)
    repeat_at = np.clip(repeat_at, customers.acquired_at[cust], ctx.window.end - 1)  # float safety only

    natural_cust = np.concatenate([np.arange(n), cust])
    natural_at = np.concatenate([customers.acquired_at, repeat_at])
    order = np.lexsort((natural_at, natural_cust))
    natural_cust, natural_at = natural_cust[order], natural_at[order]

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
