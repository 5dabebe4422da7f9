"""RFM segments, VIPs and loyalty tiers on demo data, recomputed in pandas from the purchases and
the seed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
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


def tier_of(spend: pd.Series, tiers: pd.DataFrame) -> pd.Series:
    edges = tiers.sort_values("tier_rank")
    index = np.searchsorted(edges.min_trailing_12m_net_revenue.to_numpy(), spend.to_numpy(dtype=float), side="right") - 1
    return pd.Series(edges.loyalty_tier.to_numpy()[index], index=spend.index)


def test_loyalty_tiers_equal_trailing_spend_recomputation(warehouse_connection):
    tiers = pd.read_csv(SEEDS / "loyalty_tiers.csv")
    ((as_of,),) = warehouse_connection.sql("select max(as_of_date) from marts.fct_rfm_segments").fetchall()
    as_of = pd.Timestamp(as_of)
    purchases = frame(
        warehouse_connection,
        "select customer_id, order_date, net_revenue_base from staging.stg_shop__orders where is_completed",
    )
    purchases["order_date"] = pd.to_datetime(purchases.order_date)
    purchases = purchases[purchases.order_date <= as_of]
    purchases["month"] = purchases.order_date.dt.to_period("M")
    mart = frame(warehouse_connection, "select * from marts.fct_loyalty_tiers")
    mart["month"] = pd.to_datetime(mart.month_start).dt.to_period("M")
    for month in [as_of.to_period("M"), as_of.to_period("M") - 13]:
        window = purchases[(purchases.month > month - 12) & (purchases.month <= month)]
        spend = window.groupby("customer_id").net_revenue_base.sum().astype(float)
        rows = mart[mart.month == month].set_index("customer_id")
        # every customer who had bought by the month has a row, with 0 spend if silent for a year
        assert set(rows.index) == set(purchases[purchases.month <= month].customer_id)
        expected = spend.reindex(rows.index, fill_value=0.0)
        np.testing.assert_allclose(rows.trailing_12m_net_revenue_base.astype(float), expected, atol=0.005)
        assert (rows.loyalty_tier == tier_of(expected, tiers)).all(), month


def test_tier_movements_add_up_to_customer_months(warehouse_connection):
    mart = frame(warehouse_connection, "select * from marts.fct_loyalty_tiers")
    movements = frame(warehouse_connection, "select * from marts.fct_loyalty_tier_movements")
    expected = mart.groupby(["month_start", "tier_movement"]).size()
    actual = movements.groupby(["month_start", "tier_movement"]).customers.sum()
    pd.testing.assert_series_equal(actual.sort_index(), expected.sort_index(), check_names=False, check_dtype=False)
    upgrades = movements[movements.tier_movement == "upgrade"]
    ranks = pd.read_csv(SEEDS / "loyalty_tiers.csv").set_index("loyalty_tier").tier_rank
    assert (upgrades.loyalty_tier.map(ranks) > upgrades.previous_loyalty_tier.map(ranks)).all()
