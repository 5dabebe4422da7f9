"""The churn model's inputs: the warehouse's snapshot features (int_churn__customer_features)
plus BG/NBD's view of the same history, each as the model sees it.

Counts, days and money enter on a log scale (their effect on the odds flattens: the tenth silent
month says less than the first), recency also squared and crossed with frequency (silence means
more from a frequent buyer). BG/NBD terms use the parameters of this build's fit, applied to each
customer's (x, t_x, T) at the snapshot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retention_warehouse.clv import bgnbd

FEATURES = (
    "log_days_since_last_purchase",
    "log_purchase_days",
    "log_customer_age_days",
    "log_mean_spend_per_purchase_day",
    "log_purchases_last_window",
    "log_purchases_previous_window",
    "bgnbd_p_alive",
    "log_bgnbd_expected_purchases",
    "log_days_since_last_purchase_squared",
    "log_days_since_last_purchase_x_log_purchase_days",
)


def _days_between(frame: pd.DataFrame, start: str, end: str) -> np.ndarray:
    return (pd.to_datetime(frame[end]) - pd.to_datetime(frame[start])).dt.days.to_numpy(np.float64)


def _history(frame: pd.DataFrame, time_unit_days: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BG/NBD's (x, t_x, T) at each row's snapshot: repeat purchase days, and the first purchase's
    distance to the last purchase and to the snapshot, in the time unit."""
    x = frame["purchase_days"].to_numpy(np.float64) - 1.0
    t_x = _days_between(frame, "first_purchase_date", "last_purchase_date") / time_unit_days
    age = _days_between(frame, "first_purchase_date", "snapshot_date") / time_unit_days
    return x, t_x, age


def bgnbd_terms(frame: pd.DataFrame, params, time_unit_days: float, horizon_days: float) -> pd.DataFrame:
    """P(alive) and expected purchases in the horizon at each row's snapshot."""
    x, t_x, age = _history(frame, time_unit_days)
    return pd.DataFrame({
        "p_alive": bgnbd.p_alive(params, x, t_x, age),
        "expected_purchases": bgnbd.expected_purchases(params, horizon_days / time_unit_days, x, t_x, age),
    }, index=frame.index)


def design_matrix(frame: pd.DataFrame, bgnbd_rows: pd.DataFrame) -> np.ndarray:
    """One row per feature row, columns in FEATURES order."""
    recency = np.log1p(frame["days_since_last_purchase"].to_numpy(np.float64))
    days = np.log1p(frame["purchase_days"].to_numpy(np.float64))
    age = _days_between(frame, "first_purchase_date", "snapshot_date")
    spend = np.clip(frame["net_revenue_base"].to_numpy(np.float64), 0.0, None) / frame["purchase_days"].to_numpy()
    return np.column_stack([
        recency,
        days,
        np.log1p(age),
        np.log1p(spend),
        np.log1p(frame["purchases_last_window"].to_numpy(np.float64)),
        np.log1p(frame["purchases_previous_window"].to_numpy(np.float64)),
        bgnbd_rows["p_alive"].to_numpy(),
        np.log1p(bgnbd_rows["expected_purchases"].to_numpy()),
        recency ** 2,
        recency * days,
    ])


def bgnbd_no_purchase(params, bgnbd_rows: pd.DataFrame, frame: pd.DataFrame, time_unit_days: float,
                      horizon_days: float) -> np.ndarray:
    """BG/NBD's P(no purchase in the horizon): dead, or alive with no purchase. An alive
    customer's purchases in t follow a Poisson whose rate has the Gamma(r + x, alpha + T)
    posterior, so P(none | alive) = ((alpha + T) / (alpha + T + t)) ** (r + x)."""
    r, alpha, _, _ = params
    x, _, T = _history(frame, time_unit_days)
    t = horizon_days / time_unit_days
    none_if_alive = ((alpha + T) / (alpha + T + t)) ** (r + x)
    return 1.0 - bgnbd_rows["p_alive"].to_numpy() * (1.0 - none_if_alive)
