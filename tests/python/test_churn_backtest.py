"""Churn risk on demo data: the backtest shows the held-out probability separates who returns from
who does not, its AUC equals an independent rank computation and the fit's own, the point-in-time
features equal a pandas recomputation from the purchases known at the snapshot, and segments,
value tiers and interventions follow the seeds."""

from __future__ import annotations

import math
from pathlib import Path

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
TREND_WINDOW_DAYS = 90  # default of the dbt var churn_trend_window_days
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def frame(connection, sql: str) -> pd.DataFrame:
    return connection.sql(sql).df()


@pytest.fixture()
def backtest(warehouse_connection) -> pd.DataFrame:
    return frame(warehouse_connection, "select * from marts.fct_churn_risk_backtest")


def segment_rows(backtest: pd.DataFrame, segment: str) -> pd.DataFrame:
    return backtest[backtest.risk_segment == segment].set_index("snapshot_date").sort_index()


def test_backtest_is_the_fits_validation_snapshot(warehouse_connection, backtest):
    fit = frame(warehouse_connection, "select * from marts.fct_churn_model_fit where is_current").iloc[0]
    assert fit.model_name == "logistic_l2"
    assert set(backtest.snapshot_date) == {fit.validation_snapshot}
    assert set(backtest.risk_segment) == {"all", "low", "medium", "high"}
    overall = segment_rows(backtest, "all").iloc[0]
    assert overall.customers == fit.validation_rows
    assert abs(overall.score_auc - fit.validation_auc) <= AUC_TOLERANCE  # SQL ranks against numpy's


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
            expected[(snapshot, segment)] = (len(snap), positive.mean(), rank_auc(snap.churn_probability.to_numpy(), positive))
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
    snapshots = frame(warehouse_connection, "select * from intermediate.int_calendar__churn_snapshots order by 1")
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


def test_segments_tiers_and_interventions_follow_the_seeds(warehouse_connection):
    mart = frame(warehouse_connection, "select * from marts.fct_customer_churn_risk")
    scores = frame(warehouse_connection, """
        select customer_id, churn_probability from staging.stg_clv_fit__churn_scores
        where model_role = 'final' and snapshot_date = (select max(snapshot_date) from staging.stg_clv_fit__churn_scores)
    """).set_index("customer_id")
    clv = frame(warehouse_connection, "select customer_id, predicted_clv_base from marts.fct_customer_clv").set_index("customer_id")
    mart = mart.set_index("customer_id")
    assert set(mart.index) == set(scores.index)
    assert (mart.churn_probability == scores.churn_probability.loc[mart.index]).all()

    bands = pd.read_csv(SEEDS / "churn_risk_segments.csv").sort_values("min_churn_probability")
    expected_segment = pd.cut(mart.churn_probability, bins=[*bands.min_churn_probability, np.inf],
                              labels=bands.risk_segment, right=False).astype(str)
    assert (mart.risk_segment == expected_segment).all()

    at_risk = mart.churn_probability * clv.predicted_clv_base.loc[mart.index].astype(float)
    np.testing.assert_allclose(mart.expected_revenue_at_risk_base.astype(float), at_risk, rtol=1e-12)
    tiers = pd.read_csv(SEEDS / "churn_value_tiers.csv")
    high_share = tiers.set_index("value_tier").max_customer_share["high"]
    # Largest first, customers without a CLV prediction last, ties by id.
    order = at_risk.rename("at_risk").reset_index().sort_values(["at_risk", "customer_id"], ascending=[False, True])
    top = set(order.customer_id.iloc[: int(np.floor(high_share * len(order) + 1e-9))])
    assert set(mart.index[mart.value_tier == "high"]) == top

    playbook = pd.read_csv(SEEDS / "retention_playbook.csv").set_index(["risk_segment", "value_tier"])
    expected_intervention = playbook.intervention.loc[list(zip(mart.risk_segment, mart.value_tier))].to_numpy()
    assert (mart.recommended_intervention.to_numpy() == expected_intervention).all()
    assert set(mart.risk_segment) == {"low", "medium", "high"} and set(mart.value_tier) == {"high", "standard"}
