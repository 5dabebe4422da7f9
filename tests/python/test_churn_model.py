"""The churn model's parts against known answers: hand-computed metrics and a simulated logistic
process whose true coefficients are known."""

from __future__ import annotations

import numpy as np
import pytest

from retention_warehouse.churn.metrics import auc, average_ranks, brier, calibration_deciles, expected_calibration_error
from retention_warehouse.churn.model import fit_logistic


def test_auc_of_the_textbook_example_and_of_ties():
    # Four pairs (churner, non-churner): 0.35 > 0.1, 0.35 < 0.4, 0.8 > 0.1, 0.8 > 0.4 -> 3 of 4.
    assert auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert auc(np.array([0.5, 0.5, 0.5]), np.array([0, 1, 1])) == 0.5


def test_average_ranks_share_the_mean_rank_of_ties():
    assert average_ranks(np.array([3.0, 1.0, 3.0, 2.0, 3.0])).tolist() == [4.0, 1.0, 4.0, 2.0, 4.0]
    assert average_ranks(np.array([7.0])).tolist() == [1.0]
    # Against scipy.stats.rankdata (which tests may import; builds no longer do) on many ties.
    from scipy.stats import rankdata

    values = np.random.default_rng(3).integers(0, 20, 500).astype(np.float64)
    np.testing.assert_array_equal(average_ranks(values), rankdata(values))


def test_brier_and_calibration_of_a_hand_made_forecast():
    # Deciles of 2 rows: predictions 0.05, 0.15, ..., 0.95 twice; one churner in every decile.
    probability = np.repeat(np.arange(0.05, 1.0, 0.1), 2)
    outcome = np.tile([1.0, 0.0], 10)
    deciles = calibration_deciles(probability, outcome)
    assert deciles["observed_rate"].tolist() == [0.5] * 10
    assert deciles["lift"].tolist() == [1.0] * 10
    np.testing.assert_allclose(deciles["mean_predicted"], np.arange(0.05, 1.0, 0.1))
    # |0.05 - 0.5|, |0.15 - 0.5|, ... averaged: (0.45 + 0.35 + 0.25 + 0.15 + 0.05) * 2 / 10 = 0.25
    assert expected_calibration_error(probability, outcome) == pytest.approx(0.25)
    assert brier(probability, outcome) == pytest.approx(np.mean((probability - outcome) ** 2))
    assert brier(np.array([0.2, 0.9]), np.array([0.0, 1.0])) == pytest.approx((0.04 + 0.01) / 2)


def test_logistic_fit_recovers_the_simulated_process():
    rng = np.random.default_rng(3)
    n = 200_000
    X = rng.normal(size=(n, 2)) * np.array([1.0, 2.0]) + np.array([0.0, 5.0])
    true_log_odds = -0.5 + 1.0 * X[:, 0] - 0.8 * (X[:, 1] - 5.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-true_log_odds))).astype(float)
    model = fit_logistic(X, y, ("a", "b"), l2=1e-6)
    assert model.converged
    # Standardised coefficients are the true ones times each feature's spread (1 and 2).
    np.testing.assert_allclose(model.coefficients / model.scale, [1.0, -0.8], atol=0.02)
    np.testing.assert_allclose(model.predict(X), 1 / (1 + np.exp(-true_log_odds)), atol=0.02)
    # The explanation adds up: intercept + contributions = log-odds of the prediction.
    p = model.predict(X[:5])
    np.testing.assert_allclose(model.intercept + model.contributions(X[:5]).sum(axis=1), np.log(p / (1 - p)))


def test_the_penalty_shrinks_towards_the_base_rate():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(1_000, 1))
    y = (rng.random(1_000) < 1 / (1 + np.exp(-2 * X[:, 0]))).astype(float)
    weak, strong = fit_logistic(X, y, ("x",), l2=1e-6), fit_logistic(X, y, ("x",), l2=1e6)
    assert abs(strong.coefficients[0]) < 0.01
    assert abs(weak.coefficients[0]) > 1.5
    np.testing.assert_allclose(strong.predict(X), y.mean(), atol=0.01)
