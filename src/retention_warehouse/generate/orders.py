"""Order headers: non-purchase orders, platform, currency, values, lines and discounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..landing.timestamps import DAY
from .catalog import Catalog, Lines, make_lines
from .config import ShopMix
from .purchase_process import order_values

STATUSES = ("completed", "cancelled", "returned")
COMPLETED, CANCELLED, RETURNED = 0, 1, 2


def extra_orders(
    gen: np.random.Generator,
    mix: ShopMix,
    completed_cust: np.ndarray,
    completed_at: np.ndarray,
    acquired_at: np.ndarray,
    window_end: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cancelled and returned orders, placed between a customer's first and last purchase.

    They are added next to the BG/NBD purchases (not instead of some), so the completed-order
    process stays BG/NBD. Their number is Poisson in proportion to the customer's purchases so
    that they make up about cancelled_share + returned_share of all orders. Single-purchase
    customers get theirs within 3 days after the purchase.
    """
    n = len(acquired_at)
    share = mix.cancelled_share + mix.returned_share
    n_completed = np.bincount(completed_cust, minlength=n)
    last = acquired_at.copy()
    np.maximum.at(last, completed_cust, completed_at)
    span = np.where(last > acquired_at, last - acquired_at, np.minimum(3 * DAY, window_end - 1 - acquired_at))
    k = gen.poisson(share / (1.0 - share) * n_completed)
    cust = np.repeat(np.arange(n), k)
    at = acquired_at[cust] + (gen.random(len(cust)) * span[cust]).astype(np.int64)
    cancelled = gen.random(len(cust)) < mix.cancelled_share / share
    status = np.where(cancelled, CANCELLED, RETURNED).astype(np.int8)
    return cust, at, status


@dataclass
class OrderRows:
    """One chunk's clean orders, sorted by time; `lines.order` indexes these rows."""

    customer: np.ndarray  # chunk index of the customer
    ordered_at: np.ndarray  # int64 seconds
    status: np.ndarray  # index into STATUSES
    platform: np.ndarray  # index into ShopMix.platforms
    currency: np.ndarray  # index into the currency list
    gross_cents: np.ndarray
    discount_cents: np.ndarray
    lines: Lines

    def __len__(self) -> int:
        return len(self.customer)


def assemble_orders(
    gens: dict[str, np.random.Generator],
    mix: ShopMix,
    catalog: Catalog,
    affinity: np.ndarray,
    customer: np.ndarray,
    ordered_at: np.ndarray,
    status: np.ndarray,
    cust_platform: np.ndarray,
    cust_currency: np.ndarray,
    cust_nu: np.ndarray,
    p_gg: float,
    fx: np.ndarray,
) -> OrderRows:
    order = np.lexsort((customer, ordered_at))
    customer, ordered_at, status = customer[order], ordered_at[order], status[order]
    n = len(customer)

    gen = gens["attributes"]
    n_platforms = len(mix.platforms)
    stray = gen.random(n) >= mix.platform_loyalty
    platform = np.where(stray, gen.integers(0, n_platforms, n), cust_platform[customer]).astype(np.int8)
    currency = cust_currency[customer]

    usd = order_values(gens["values"], cust_nu[customer], p_gg)  # Gamma-Gamma, before discount
    lines = make_lines(gens["items"], catalog, affinity, customer, usd, fx[currency])

    gen = gens["values"]
    rate = np.where(gen.random(n) < mix.discount_share, gen.uniform(0.05, 0.20, n), 0.0)
    discount = np.rint(lines.gross_cents * rate).astype(np.int64)
    return OrderRows(customer, ordered_at, status, platform, currency, lines.gross_cents, discount, lines)
