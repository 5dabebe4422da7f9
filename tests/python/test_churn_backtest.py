"""Churn risk on demo data: the backtest shows the score separates who returns from who does not,
its AUC equals an independent rank computation, and the point-in-time features equal a pandas
recomputation from the purchases known at the snapshot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

# A score with no information has AUC 0.5 with null standard error
# sqrt((n_pos + n_neg + 1) / (12 n_pos n_neg)) (Mann-Whitney U under H0). Three standard errors
# leave an uninformative score a 0.13 % chance per snapshot of passing.
NULL_STANDARD_ERRORS = 3
# Hosmer & Lemeshow's rule of thumb calls AUC >= 0.7 "acceptable" discrimination; the latest
# snapshot has the most history and customers, so the score must reach it there.
ACCEPTABLE_AUC = 0.7
AUC_TOLERANCE = 1e-9
# Defaults of the dbt vars churn_horizon_days, churn_trend_window_days and churn_risk_weights.
HORIZON_DAYS = 90
TREND_WINDOW_DAYS = 90
WEIGHTS = {"overdue": 0.4, "p_alive": 0.4, "frequency_trend": 0.1, "spend_trend": 0.1}


def frame(connection, sql: str) -> pd.DataFrame:
    return connection.sql(sql).df()


@pytest.fixture()
def backtest(warehouse_connection) -> pd.DataFrame:
    return frame(warehouse_connection, "select * from marts.fct_churn_risk_backtest")


def segment_rows(backtest: pd.DataFrame, segment: str) -> pd.DataFrame:
    return backtest[backtest.risk_segment == segment].set_index("snapshot_date").sort_index()


def test_backtest_covers_quarter_ends_with_observed_horizon(backtest):
    snapshots = sorted(backtest.snapshot_date.unique())
    assert len(snapshots) >= 8, "three years of demo data should give at least 8 quarter-end snapshots"
    assert all((pd.Timestamp(s) + pd.Timedelta(days=1)).day == 1 for s in snapshots)
    assert set(backtest.risk_segment) == {"all", "low", "medium", "high"}


def test_high_segment_non_return_rate_above_low(backtest):
    high, low = segment_rows(backtest, "high"), segment_rows(backtest, "low")
    assert (high.non_return_rate > low.non_return_rate).all(), pd.DataFrame(
        {"high": high.non_return_rate, "low": low.non_return_rate}
    )
    assert (high.lift > 1).all() and (low.lift < 1).all()


def test_auc_beats_chance_by_stated_margin(backtest):
    overall = segment_rows(backtest, "all")
    n_pos, n_neg = overall.non_returning_customers, overall.returning_customers
    null_se = np.sqrt((n_pos + n_neg + 1) / (12 * n_pos * n_neg))
    margin = overall.score_auc - 0.5 - NULL_STANDARD_ERRORS * null_se
    assert (margin > 0).all(), pd.DataFrame({"auc": overall.score_auc, "null_se": null_se})
    assert overall.score_auc.iloc[-1] >= ACCEPTABLE_AUC


def rank_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Mann-Whitney AUC with average ranks for ties (the probability a positive outranks a negative)."""
    ranks = rankdata(scores)
    n_pos = positive.sum()
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    return (ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def test_auc_and_rates_equal_independent_computation(warehouse_connection, backtest):
    customers = frame(warehouse_connection, "select * from intermediate.int_churn__backtest_customers")
    groups = [("all", customers)] + list(customers.groupby("risk_segment"))
    expected = {}
    for segment, rows in groups:
        for snapshot, snap in rows.groupby("snapshot_date"):
            positive = snap.is_non_returning.to_numpy(dtype=bool)
            expected[(snapshot, segment)] = (len(snap), positive.mean(), rank_auc(snap.risk_score.to_numpy(), positive))
    actual = backtest.set_index(["snapshot_date", "risk_segment"])
    assert set(expected) == set(actual.index)
    for key, (n, rate, auc) in expected.items():
        row = actual.loc[key]
        assert row.customers == n, key
        assert row.non_return_rate == pytest.approx(rate, abs=1e-12), key
        if math.isnan(auc):
            assert pd.isna(row.score_auc), key
        else:
            assert abs(row.score_auc - auc) <= AUC_TOLERANCE, (key, row.score_auc, auc)


def reference_features(purchases: pd.DataFrame, snapshot: pd.Timestamp) -> pd.DataFrame:
    """The churn features from first principles, using only purchases on or before `snapshot`."""
    known = purchases[purchases.order_date <= snapshot]
    days = known.groupby(["customer_id", "order_date"]).net_revenue_base.agg(["size", "sum"]).reset_index()
    days["gap"] = days.groupby("customer_id").order_date.diff().dt.days
    own = days.groupby("customer_id").gap.mean()
    fallback = own.dropna().median()
    last = days.groupby("customer_id").order_date.max()
    age = (snapshot - days.order_date).dt.days
    in_last = age < TREND_WINDOW_DAYS
    in_previous = (age >= TREND_WINDOW_DAYS) & (age < 2 * TREND_WINDOW_DAYS)
    last_window = days["size"].where(in_last, 0).groupby(days.customer_id).sum()
    previous_window = days["size"].where(in_previous, 0).groupby(days.customer_id).sum()
    result = pd.DataFrame({
        "days_since_last_purchase": (snapshot - last).dt.days,
        "typical_interval_days": own.fillna(fallback),
        "is_population_interval": own.isna(),
        "purchases": days.groupby("customer_id")["size"].sum(),
    })
    result["overdue_ratio"] = result.days_since_last_purchase / result.typical_interval_days
    total = last_window + previous_window
    result["frequency_trend"] = ((last_window - previous_window) / total).where(total > 0)
    return result


@pytest.mark.parametrize("which", ["current", "first backtest"])
def test_features_use_only_purchases_known_at_the_snapshot(warehouse_connection, which):
    snapshots = frame(warehouse_connection, "select * from intermediate.int_churn__snapshot_dates order by 1")
    snapshot_type = "current" if which == "current" else "backtest"
    snapshot = pd.Timestamp(snapshots[snapshots.snapshot_type == snapshot_type].snapshot_date.iloc[0])
    purchases = frame(
        warehouse_connection,
        "select customer_id, order_date, net_revenue_base from staging.stg_shop__orders where is_completed",
    )
    purchases["order_date"] = pd.to_datetime(purchases.order_date)
    expected = reference_features(purchases, snapshot)
    actual = frame(
        warehouse_connection,
        f"select * from intermediate.int_churn__customer_features where snapshot_date = date '{snapshot.date()}'",
    ).set_index("customer_id")
    assert set(actual.index) == set(expected.index)
    actual = actual.loc[expected.index]
    assert (actual.days_since_last_purchase == expected.days_since_last_purchase).all()
    assert (actual.purchases == expected.purchases).all()
    assert (actual.is_population_interval == expected.is_population_interval).all()
    for column in ["typical_interval_days", "overdue_ratio", "frequency_trend"]:
        np.testing.assert_allclose(actual[column].astype(float), expected[column].astype(float), rtol=1e-12)


def test_current_score_follows_documented_formula(warehouse_connection):
    mart = frame(
        warehouse_connection,
        """
        select risk.*, clv.p_alive as clv_p_alive, clv.calibration_end_date
        from marts.fct_customer_churn_risk as risk
        left join intermediate.int_clv__customer_predictions as clv using (customer_id)
        """,
    )
    # P(alive) counts only for repeat buyers and a fit calibrated at the analysis date.
    use_p_alive = ~mart.is_population_interval & (mart.calibration_end_date == mart.as_of_date)
    estimates = {
        "overdue": 1 / (1 + mart.overdue_ratio),
        "frequency_trend": (1 + mart.frequency_trend) / 2,
        "spend_trend": (1 + mart.spend_trend) / 2,
        "p_alive": mart.clv_p_alive.where(use_p_alive),
    }
    weighted = sum(WEIGHTS[k] * v.fillna(0) for k, v in estimates.items())
    present = sum(WEIGHTS[k] * v.notna() for k, v in estimates.items())
    p_purchase = 1 - np.exp(-HORIZON_DAYS / mart.typical_interval_days)
    expected = 1 - weighted / present * p_purchase
    assert use_p_alive.sum() > 0
    np.testing.assert_allclose(mart.risk_score, expected, atol=5e-7)  # the mart rounds to 6 decimals
