"""The CLV fit step between the two dbt builds: read the grouped statistics, fit BG/NBD and
Gamma-Gamma, score every statistics group with BG/NBD, write both back to the warehouse.

Scoring happens here rather than in SQL because the expected number of purchases needs the
Gaussian hypergeometric function 2F1, which neither DuckDB nor Spark SQL has; a truncated series
in SQL would need hundreds of terms per customer near z = 1. Scores depend only on the
(x, t_x, T) group, so the table is small and SQL joins it back to customers on both engines.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from retention_warehouse.settings import Settings

from . import bgnbd, warehouse_io
from .fit import FitResult, maximise_likelihood, require_converged

CALIBRATION = "intermediate.int_clv__calibration"
BGNBD_STATISTICS = "intermediate.int_clv__sufficient_statistics"
SPEND_STATISTICS = "intermediate.int_clv__spend_statistics"
PURCHASE_WINDOWS_DAYS = (30, 90, 365)


def _first_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row the index of its distinct key, and the first row holding each distinct key."""
    codes, _ = pd.factorize(keys)  # codes 0, 1, ... in order of first appearance
    _, first = np.unique(codes, return_index=True)
    return codes, first


def score_groups(params, statistics: pd.DataFrame, calibration: dict) -> pd.DataFrame:
    """BG/NBD predictions for each row of `statistics` (frequency, recency, customer_age in the
    time unit); horizons in days are converted with `time_unit_days`."""
    unit = float(calibration["time_unit_days"])
    x = statistics["frequency"].to_numpy(np.float64)
    t_x = statistics["recency"].to_numpy(np.float64)
    age = statistics["customer_age"].to_numpy(np.float64)
    alive = bgnbd.p_alive(params, x, t_x, age)
    # Purchases if alive depend on (x, T) only: evaluate 2F1 once per distinct pair.
    age_days = statistics["customer_age_days"].to_numpy(np.int64)
    pair_key = statistics["frequency"].to_numpy(np.int64) * (int(age_days.max(initial=0)) + 1) + age_days
    pair_index, pair_rows = _first_rows(pair_key)

    def expected(t: float) -> np.ndarray:
        return bgnbd.expected_purchases_if_alive(params, t, x[pair_rows], age[pair_rows])[pair_index] * alive

    scores = {
        "frequency": statistics["frequency"].to_numpy(np.int64),
        "recency_days": statistics["recency_days"].to_numpy(np.int64),
        "customer_age_days": statistics["customer_age_days"].to_numpy(np.int64),
        "p_alive": alive,
        **{f"expected_purchases_{days}d": expected(days / unit) for days in PURCHASE_WINDOWS_DAYS},
    }
    discounted, previous = np.zeros_like(alive), np.zeros_like(alive)
    for period_end, discount in bgnbd.discount_schedule(
        calibration["horizon_days"] / unit, calibration["discount_period_days"] / unit,
        float(calibration["discount_rate"]),
    ):
        cumulative = expected(period_end)
        discounted += (cumulative - previous) * discount
        previous = cumulative
    scores["discounted_expected_purchases"] = discounted
    scores["median_days_to_next_purchase"] = bgnbd.median_time_to_next_purchase(params, x, t_x, age) * unit
    return pd.DataFrame(scores)


def _fit_row(result: FitResult, run_id: str, calibration: dict) -> dict:
    return {
        "run_id": run_id,
        "model_name": result.model,
        **result.params,
        "log_likelihood": result.log_likelihood,
        "customers": result.n_customers,
        "statistics_groups": result.n_groups,
        "converged": result.converged,
        "iterations": result.iterations,
        "message": result.message,
        **{key: calibration[key] for key in (
            "calibration_end_date", "time_unit", "time_unit_days",
            "horizon_days", "discount_rate", "discount_period_days",
        )},
        "fitted_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }


def fit_clv(settings: Settings) -> dict:
    """Fit, score and write; raises ClvFitError (after recording the failed fit) if a fit does
    not converge. Returns the fitted parameters per model."""
    calibration = warehouse_io.read_relation(settings, CALIBRATION).iloc[0].to_dict()
    calibration["calibration_end_date"] = pd.Timestamp(calibration["calibration_end_date"]).date()
    statistics = warehouse_io.read_relation(settings, BGNBD_STATISTICS)
    spend = warehouse_io.read_relation(settings, SPEND_STATISTICS)
    run_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")

    results = [
        maximise_likelihood(
            "bg_nbd", (statistics["frequency"], statistics["recency"], statistics["customer_age"]),
            statistics["customers"],
        ),
        maximise_likelihood("gamma_gamma", (spend["frequency"], spend["monetary_value"]), spend["customers"]),
    ]
    rows = [_fit_row(result, run_id, calibration) for result in results]
    if not all(result.converged for result in results):
        warehouse_io.write_results(settings, rows, scores=None)  # keep the failure on record
        for result in results:
            require_converged(result)
    scores = score_groups(results[0].values(), statistics, calibration).assign(run_id=run_id)
    warehouse_io.write_results(settings, rows, scores)
    return {"run_id": run_id, **{result.model: result.params for result in results}}
