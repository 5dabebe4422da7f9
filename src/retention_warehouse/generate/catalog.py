"""Product catalogue and order lines.

Order values come from the Gamma-Gamma process; lines are then drawn from the customer's category
affinity and their unit prices scaled so that the lines add up to that value. Unit prices are
rounded to cents first and the order's gross amount is defined as the exact sum of the lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .streams import GLOBAL_CHUNK, Stream, rng

# category: (popularity, median list price USD, log-sd of price, product nouns)
CATEGORIES = {
    "books": (0.18, 14.0, 0.45, ("Novel", "Cookbook", "Atlas", "Biography", "Guide")),
    "music": (0.10, 12.0, 0.35, ("Album", "Vinyl", "Box Set", "Songbook", "Single")),
    "electronics": (0.12, 55.0, 0.70, ("Headphones", "Charger", "Speaker", "Keyboard", "Camera")),
    "home": (0.15, 28.0, 0.60, ("Lamp", "Mug Set", "Throw", "Vase", "Cutting Board")),
    "beauty": (0.12, 18.0, 0.50, ("Serum", "Lotion", "Palette", "Shampoo", "Perfume")),
    "fashion": (0.15, 35.0, 0.55, ("Scarf", "T-Shirt", "Sneakers", "Belt", "Jacket")),
    "toys": (0.08, 22.0, 0.50, ("Puzzle", "Board Game", "Plush", "Building Set", "Kite")),
    "sports": (0.10, 38.0, 0.60, ("Yoga Mat", "Water Bottle", "Ball", "Backpack", "Gloves")),
}
ADJECTIVES = ("Classic", "Essential", "Premium", "Compact", "Deluxe", "Everyday", "Eco", "Vintage", "Smart", "Pro")
PRODUCTS_PER_CATEGORY = 25
LINE_QUANTITIES = (np.array([1, 2, 3]), np.array([0.78, 0.16, 0.06]))


@dataclass
class Catalog:
    product_id: list[str]
    product_name: list[str]
    category: list[str]
    category_index: np.ndarray
    unit_cost: np.ndarray
    list_price: np.ndarray
    # Cumulative popularity within each category block, offset by the category index, so one
    # searchsorted over (category + u) picks a product of that category.
    _pick: np.ndarray

    def columns(self) -> dict:
        return {
            "product_id": self.product_id,
            "product_name": self.product_name,
            "category": self.category,
            "unit_cost": self.unit_cost,
            "list_price": self.list_price,
        }


def make_catalog(seed: int) -> Catalog:
    gen = rng(seed, GLOBAL_CHUNK, Stream.PRODUCTS)
    ids, names, cats, cat_idx, price, pick = [], [], [], [], [], []
    for c, (name, (_, median, sd, nouns)) in enumerate(CATEGORIES.items()):
        k = PRODUCTS_PER_CATEGORY
        dollars = np.floor(median * np.exp(sd * gen.standard_normal(k)))
        price.append(np.maximum(dollars, 2.0) + 0.99)
        popularity = gen.permutation(1.0 / np.arange(1, k + 1) ** 0.8)
        pick.append(c + np.cumsum(popularity) / popularity.sum())
        for j in range(k):
            number = len(ids) + 1
            ids.append(f"P{number:04d}")
            names.append(f"{ADJECTIVES[gen.integers(len(ADJECTIVES))]} {nouns[j % len(nouns)]} {number}")
            cats.append(name)
            cat_idx.append(c)
    list_price = np.round(np.concatenate(price), 2)
    unit_cost = np.round(list_price * gen.uniform(0.35, 0.65, len(list_price)), 2)
    return Catalog(ids, names, cats, np.array(cat_idx), unit_cost, list_price, np.concatenate(pick))


def draw_affinity(gen: np.random.Generator, n_customers: int) -> np.ndarray:
    """Row-wise cumulative category preferences offset by the row number (for searchsorted)."""
    return flat_affinity(affinity_rows(gen, n_customers))


def affinity_rows(gen: np.random.Generator, n_customers: int) -> np.ndarray:
    """(n, categories) cumulative category preferences, one row per customer.

    40% of customers stick to one category; the rest have Dirichlet preferences centred on the
    category popularity.
    """
    popularity = np.array([v[0] for v in CATEGORIES.values()])
    weights = gen.gamma(2.4 * popularity, 1.0, (n_customers, len(popularity)))
    single = gen.random(n_customers) < 0.4
    only = np.searchsorted(np.cumsum(popularity), gen.random(n_customers) * popularity.sum())
    rows = np.flatnonzero(single)
    weights[rows] = 0.0
    weights[rows, np.minimum(only[rows], len(popularity) - 1)] = 1.0
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    return cum


def flat_affinity(rows: np.ndarray) -> np.ndarray:
    """The layout make_lines searches: row i's cumulative preferences offset by i."""
    return (np.arange(len(rows))[:, None] + rows).ravel()


@dataclass
class Lines:
    order: np.ndarray  # index of the order each line belongs to
    product: np.ndarray  # index into the catalogue
    quantity: np.ndarray
    unit_cents: np.ndarray  # unit price in cents of the order currency
    gross_cents: np.ndarray  # per order: sum of quantity * unit_cents


def make_lines(
    gen: np.random.Generator,
    catalog: Catalog,
    affinity: np.ndarray,
    order_customer: np.ndarray,
    order_usd: np.ndarray,
    order_fx: np.ndarray,
) -> Lines:
    n_orders = len(order_customer)
    n_cat = len(CATEGORIES)
    # Bigger baskets for bigger orders, 1-4 lines.
    n_lines = 1 + np.minimum(gen.poisson(order_usd / 60.0), 3)
    order = np.repeat(np.arange(n_orders), n_lines)
    cust = order_customer[order]
    slot = np.searchsorted(affinity, cust + gen.random(len(order)), side="right")
    category = np.clip(slot - cust * n_cat, 0, n_cat - 1)
    product = np.searchsorted(catalog._pick, category + gen.random(len(order)), side="right")
    product = np.clip(product, category * PRODUCTS_PER_CATEGORY, (category + 1) * PRODUCTS_PER_CATEGORY - 1)
    quantity = gen.choice(LINE_QUANTITIES[0], len(order), p=LINE_QUANTITIES[1])

    local_list = catalog.list_price[product] / order_fx[order]
    basket = np.bincount(order, weights=quantity * local_list, minlength=n_orders)
    target = order_usd / order_fx  # order value in local currency
    unit = np.rint(local_list * (target / basket)[order] * 100.0).astype(np.int64)
    unit = np.maximum(unit, 1)
    gross = np.bincount(order, weights=quantity * unit, minlength=n_orders).astype(np.int64)
    return Lines(order, product, quantity.astype(np.int64), unit, gross)
