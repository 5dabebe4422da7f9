"""Validation figures of a probability forecast of a yes/no outcome (1 = churned)."""

from __future__ import annotations

import numpy as np
import pandas as pd

DECILES = 10


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing their mean rank (scipy.stats.rankdata's default, whose
    import alone costs every build about 0.7 s). Scores are probabilities, never NaN; a NaN would
    rank last here where rankdata returns all NaN."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
    group = np.cumsum(starts_group) - 1
    starts = np.flatnonzero(starts_group)
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = ((starts + 1 + ends) / 2.0)[group]
    return ranks


def auc(score: np.ndarray, outcome: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random churner scores above a random
    non-churner, ties counting one half (Mann-Whitney U over average ranks)."""
    ranks = average_ranks(score)
    positive = outcome == 1
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def brier(probability: np.ndarray, outcome: np.ndarray) -> float:
    return float(np.mean((probability - outcome) ** 2))


def calibration_deciles(probability: np.ndarray, outcome: np.ndarray) -> pd.DataFrame:
    """Customers in ten equal groups by predicted probability (ties broken by input order): mean
    prediction, observed churn rate and lift (observed rate / overall rate) per group."""
    order = np.argsort(probability, kind="stable")
    groups = np.array_split(order, DECILES)
    base_rate = outcome.mean()
    return pd.DataFrame({
        "decile": np.arange(1, DECILES + 1),
        "customers": [len(g) for g in groups],
        "mean_predicted": [probability[g].mean() for g in groups],
        "observed_rate": [outcome[g].mean() for g in groups],
        "lift": [outcome[g].mean() / base_rate for g in groups],
    })


def expected_calibration_error(probability: np.ndarray, outcome: np.ndarray) -> float:
    """Customer-weighted mean |predicted - observed| over the calibration deciles."""
    deciles = calibration_deciles(probability, outcome)
    weights = deciles["customers"] / deciles["customers"].sum()
    return float((weights * (deciles["mean_predicted"] - deciles["observed_rate"]).abs()).sum())
