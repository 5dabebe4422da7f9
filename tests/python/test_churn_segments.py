"""RFM segments, VIPs and loyalty tiers on demo data, recomputed in pandas from the purchases and
the seed files."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DOCS = Path(__file__).resolve().parents[2] / "docs"
VIP_TOP_SHARE = 0.05  # dbt var vip_top_share (default)


def frame(connection, sql: str) -> pd.DataFrame:
    return connection.sql(sql).df()


def test_rfm_quintiles_are_equal_sized_and_monotone(warehouse_connection):
    rfm = frame(warehouse_connection, "select * from marts.fct_rfm_segments")
    n = len(rfm)
    for score, value, higher_is_better in [
        ("recency_score", "days_since_last_purchase", False),
        ("frequency_score", "purchases", True),
        ("monetary_score", "net_revenue_base", True),
    ]:
        sizes = rfm[score].value_counts().sort_index()
        # ntile(5): the first n % 5 buckets get one extra customer
        assert sizes.tolist() == [n // 5 + (1 if k < n % 5 else 0) for k in range(5)], score
        low, high = rfm.groupby(score)[value].min(), rfm.groupby(score)[value].max()
        for k in range(1, 5):  # a better score never holds a strictly worse value
            if higher_is_better:
                assert low[k + 1] >= high[k], score
            else:
                assert high[k + 1] <= low[k], score

def test_rfm_segments_follow_the_seed_map(warehouse_connection):
    rfm = frame(warehouse_connection, "select * from marts.fct_rfm_segments")
    segment_map = pd.read_csv(SEEDS / "rfm_segment_map.csv")
    assert len(segment_map.drop_duplicates(["recency_score", "fm_score"])) == 25
    fm = np.floor((rfm.frequency_score + rfm.monetary_score) / 2 + 0.5).astype(int)
    expected = rfm.assign(fm_score=fm).merge(segment_map, on=["recency_score", "fm_score"], suffixes=("", "_seed"))
    assert len(expected) == len(rfm)
    assert (expected.rfm_segment == expected.rfm_segment_seed).all()


def test_vips_are_top_spenders_and_top_buyers(warehouse_connection):
    rfm = frame(warehouse_connection, "select * from marts.fct_rfm_segments")
    cutoff = VIP_TOP_SHARE * len(rfm)
    top_spend = rfm.net_revenue_base.rank(method="min", ascending=False) <= cutoff
    top_buyers = rfm.purchases.rank(method="min", ascending=False) <= cutoff
    assert (rfm.is_vip == (top_spend & top_buyers)).all()
    assert rfm.is_vip.any()


def tier_of(spend_cents: np.ndarray, tiers: pd.DataFrame) -> np.ndarray:
    """Tier names for trailing spends in cents (lower bounds inclusive)."""
    edges = tiers.sort_values("tier_rank")
    bounds = np.round(edges.min_trailing_12m_net_revenue.to_numpy(dtype=float) * 100).astype(np.int64)
    return edges.loyalty_tier.to_numpy()[np.searchsorted(bounds, spend_cents, side="right") - 1]


def customer_month_tiers(connection) -> pd.DataFrame:
    """Every customer in every month from their first purchase month to the analysis month, with
    trailing-12-month net revenue (the month and the 11 before, in whole cents so that sums are
    exact), tier and previous tier, computed densely in pandas from the completed orders."""
    tiers = pd.read_csv(SEEDS / "loyalty_tiers.csv")
    purchases = frame(
        connection,
        "select customer_id, order_date, net_revenue_base from staging.stg_shop__orders where is_completed",
    )
    purchases["order_date"] = pd.to_datetime(purchases.order_date)
    as_of = purchases.order_date.max()  # the analysis date: the last purchase date (as_of_date var unset)
    purchases["month"] = purchases.order_date.dt.to_period("M")
    purchases["cents"] = np.round(purchases.net_revenue_base.astype(float) * 100).astype(np.int64)
    monthly = purchases.groupby(["customer_id", "month"]).cents.sum().unstack(fill_value=0)
    months = pd.period_range(monthly.columns.min(), as_of.to_period("M"), freq="M")
    monthly = monthly.reindex(columns=months, fill_value=0)
    running = np.cumsum(monthly.to_numpy(), axis=1)
    trailing = running - np.pad(running, ((0, 0), (12, 0)))[:, : len(months)]  # minus the sum 12 months earlier
    first_month = purchases.groupby("customer_id").month.min()
    dense = pd.DataFrame(
        {
            "customer_id": np.repeat(monthly.index.to_numpy(), len(months)),
            "month": np.tile(months.to_numpy(), len(monthly)),
            "trailing_cents": trailing.ravel(),
        }
    )
    dense = dense[dense.month >= dense.customer_id.map(first_month)].reset_index(drop=True)
    dense["month_number"] = [(m - f).n for m, f in zip(dense.month, dense.customer_id.map(first_month))]
    dense["loyalty_tier"] = tier_of(dense.trailing_cents.to_numpy(), tiers)
    before_first_purchase = tier_of(np.array([0]), tiers)[0]
    dense["previous_loyalty_tier"] = dense.groupby("customer_id").loyalty_tier.shift(1).fillna(before_first_purchase)
    ranks = tiers.set_index("loyalty_tier").tier_rank
    change = dense.loyalty_tier.map(ranks) - dense.previous_loyalty_tier.map(ranks)
    dense["tier_movement"] = np.select([change > 0, change < 0], ["upgrade", "downgrade"], "unchanged")
    dense["is_complete"] = dense.month.dt.end_time.dt.normalize() <= as_of
    dense.attrs["analysis_month"] = as_of.to_period("M")
    return dense


def test_loyalty_tier_spells_equal_dense_recomputation(warehouse_connection):
    dense = customer_month_tiers(warehouse_connection)
    # spells by hand: a new spell wherever the tier differs from the customer's month before
    starts = dense.month_number.eq(0) | dense.loyalty_tier.ne(dense.groupby("customer_id").loyalty_tier.shift(1))
    dense["spell"] = starts.cumsum()
    expected = dense.groupby("spell").agg(
        customer_id=("customer_id", "first"),
        loyalty_tier=("loyalty_tier", "first"),
        previous_loyalty_tier=("previous_loyalty_tier", "first"),
        tier_movement=("tier_movement", "first"),
        valid_from=("month", "first"),
        valid_to=("month", "last"),
        months_in_spell=("month", "size"),
        trailing_cents=("trailing_cents", "first"),
    )
    expected["tier_spell_number"] = expected.groupby("customer_id").cumcount() + 1
    expected["is_current"] = expected.valid_to == dense.attrs["analysis_month"]

    spells = frame(warehouse_connection, "select * from marts.fct_loyalty_tiers")
    spells["valid_from"] = pd.to_datetime(spells.valid_from_month).dt.to_period("M")
    spells["valid_to"] = pd.to_datetime(spells.valid_to_month).dt.to_period("M")
    spells["trailing_cents"] = np.round(spells.trailing_12m_net_revenue_base.astype(float) * 100).astype(np.int64)
    columns = list(expected.columns)
    actual = spells[columns].sort_values(["customer_id", "valid_from"]).reset_index(drop=True)
    expected = expected[columns].sort_values(["customer_id", "valid_from"]).reset_index(drop=True)
    assert len(actual) < len(dense) / 5  # far fewer rows than customer months
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
    assert (expected.tier_movement == "downgrade").any() and (expected.tier_spell_number > 2).any()


def documented_tier_queries() -> list[str]:
    """The SQL blocks of the loyalty section of docs/churn.md, on the warehouse's marts schema."""
    docs = (DOCS / "churn.md").read_text()
    section = docs[docs.index("## `fct_loyalty_tiers`") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)
    return [re.sub(r"\b(from|join) fct_", r"\1 marts.fct_", block) for block in blocks]


def test_documented_tier_at_month_queries_equal_dense_recomputation(warehouse_connection):
    dense = customer_month_tiers(warehouse_connection)
    at_month, month_by_month = documented_tier_queries()
    analysis_month = dense.attrs["analysis_month"]
    for month in [analysis_month, analysis_month - 13, dense.month.min()]:
        sql = at_month.replace("2025-06-01", str(month.start_time.date()))
        actual = frame(warehouse_connection, sql).set_index("customer_id").loyalty_tier.sort_index()
        expected = dense[dense.month == month].set_index("customer_id").loyalty_tier.sort_index()
        pd.testing.assert_series_equal(actual, expected, check_names=False)
    # month by month for every customer: the former dense grain
    sql = re.sub(r"\n\s*where spells.customer_id = .*", "", month_by_month)
    actual = frame(warehouse_connection, sql)
    actual["month"] = pd.to_datetime(actual.month_start).dt.to_period("M")
    columns = ["customer_id", "month", "loyalty_tier", "previous_loyalty_tier", "tier_movement"]
    actual = actual[columns].sort_values(["customer_id", "month"]).reset_index(drop=True)
    expected = dense[columns].sort_values(["customer_id", "month"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)


def test_tier_movements_equal_customer_month_counts(warehouse_connection):
    dense = customer_month_tiers(warehouse_connection)
    dense["first_purchase"] = (dense.month_number == 0).astype(int)
    keys = ["month", "previous_loyalty_tier", "loyalty_tier", "tier_movement", "is_complete"]
    expected = (
        dense.groupby(keys)
        .agg(customers=("customer_id", "size"), first_purchase_customers=("first_purchase", "sum"))
        .reset_index()
    )
    movements = frame(warehouse_connection, "select * from marts.fct_loyalty_tier_movements")
    movements["month"] = pd.to_datetime(movements.month_start).dt.to_period("M")
    columns = [*keys, "customers", "first_purchase_customers"]
    actual = movements[columns].sort_values(keys[:3]).reset_index(drop=True)
    expected = expected[columns].sort_values(keys[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(actual, expected, check_dtype=False)
    upgrades = movements[movements.tier_movement == "upgrade"]
    ranks = pd.read_csv(SEEDS / "loyalty_tiers.csv").set_index("loyalty_tier").tier_rank
    assert (upgrades.loyalty_tier.map(ranks) > upgrades.previous_loyalty_tier.map(ranks)).all()
