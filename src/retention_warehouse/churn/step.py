"""The churn-probability step, after the CLV fit: learn P(no purchase within the horizon) from the
warehouse's past snapshots and score every customer at the analysis date (docs/churn.md).

Validation is by time: the model is trained on the older closed backtest snapshots and judged on
the newest one (AUC, Brier score, calibration by decile, lift), then refitted on every closed
snapshot to score the current one. With fewer than two closed snapshots there is nothing to
validate on, so BG/NBD's own P(no purchase in the horizon) is used and the fit row says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

from retention_warehouse.clv import warehouse_io
from retention_warehouse.settings import Settings

from .features import FEATURES, bgnbd_no_purchase, bgnbd_terms, design_matrix
from .metrics import auc, brier, calibration_deciles, expected_calibration_error
from .model import DEFAULT_L2, fit_logistic

CALIBRATION_RELATION = "intermediate.int_clv__calibration"
MODEL_ROWS_RELATION = "intermediate.int_churn__model_rows"
SNAPSHOTS_RELATION = "intermediate.int_calendar__churn_snapshots"
KEY = ["snapshot_date", "customer_id"]
MIN_CLOSED_SNAPSHOTS = 2
# Customers are scored a million at a time: at 100M orders there are about 29M of them, and their
# features, design matrix and contributions at once would take several GB.
SCORE_BATCH_ROWS = 1_000_000
TOP_FEATURES = 3
# Every ordered choice of TOP_FEATURES features, at code sum(index_k * len(FEATURES) ** k): each
# customer's explanation is a dictionary code into it, not one of millions of separate strings.
TOP_FEATURE_NAMES = pa.array([
    ", ".join(FEATURES[code // len(FEATURES) ** k % len(FEATURES)] for k in range(TOP_FEATURES))
    for code in range(len(FEATURES) ** TOP_FEATURES)
])
TOP_FEATURES_TYPE = warehouse_io.CHURN_SCORES_COLUMNS.field("top_churn_features").type

Scorer = Callable[[pd.DataFrame], tuple[np.ndarray, pa.Array]]


def _top_features(contributions: np.ndarray) -> pa.DictionaryArray:
    """The features that push each customer's churn odds up most, largest first."""
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :TOP_FEATURES]
    codes = order @ (len(FEATURES) ** np.arange(TOP_FEATURES))
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), TOP_FEATURE_NAMES)


def _score_table(run_id: str, model_role: str, rows: pa.Table, probability: np.ndarray, top: pa.Array) -> pa.Table:
    return pa.table({
        "run_id": pa.array([run_id] * rows.num_rows),
        "model_role": pa.array([model_role] * rows.num_rows),
        "customer_id": rows["customer_id"],
        "snapshot_date": rows["snapshot_date"],
        "churn_probability": probability,
        "top_churn_features": top,
    }).cast(warehouse_io.CHURN_SCORES_COLUMNS)


def _scores(settings: Settings, run_id: str, score: Scorer) -> list[pa.Table]:
    """The final model's scores of the rows to score, batch by batch."""
    return [
        _score_table(run_id, "final", rows, *score(rows.to_pandas()))
        for rows in warehouse_io.read_batches(settings, MODEL_ROWS_RELATION, "is_scored", SCORE_BATCH_ROWS)
    ]


def fit_churn(settings: Settings, clv_fit: dict) -> dict:
    """Fit, validate, score and write, with the BG/NBD parameters of this build's CLV fit
    (`fit_clv`'s result); returns the fit row."""
    run_id = clv_fit["run_id"]
    bgnbd_params = tuple(clv_fit["bg_nbd"][name] for name in ("r", "alpha", "a", "b"))
    time_unit_days = float(warehouse_io.read_relation(settings, CALIBRATION_RELATION)["time_unit_days"].iloc[0])
    snapshots = warehouse_io.read_relation(settings, SNAPSHOTS_RELATION)
    windows = pd.to_datetime(snapshots["outcome_window_end"]) - pd.to_datetime(snapshots["snapshot_date"])
    horizon_days = float(windows.dt.days.iloc[0])
    current_date = pd.Timestamp(snapshots.loc[snapshots["snapshot_type"] == "current", "snapshot_date"].iloc[0]).date()
    closed = sorted(snapshots.loc[snapshots["snapshot_type"] == "backtest", "snapshot_date"])
    fit_row = {"run_id": run_id, "analysis_date": current_date, "horizon_days": int(horizon_days),
               "closed_snapshots": len(closed), "features": json.dumps(FEATURES)}

    def terms(frame: pd.DataFrame) -> pd.DataFrame:
        return bgnbd_terms(frame, bgnbd_params, time_unit_days, horizon_days)

    if len(closed) < MIN_CLOSED_SNAPSHOTS:
        def score(batch: pd.DataFrame) -> tuple[np.ndarray, pa.Array]:
            probability = bgnbd_no_purchase(bgnbd_params, terms(batch), batch, time_unit_days, horizon_days)
            return probability, pa.nulls(len(batch), TOP_FEATURES_TYPE)

        fit_row.update(model_name="bg_nbd_fallback", coefficients=None, converged=True, reason=(
            f"{len(closed)} closed backtest snapshot(s): at least {MIN_CLOSED_SNAPSHOTS} are needed to train on "
            "older ones and validate on the newest, so BG/NBD's P(no purchase in the horizon) is used"))
        deciles = None
        validation_scores = []
    else:
        rows = warehouse_io.read_relation(settings, MODEL_ROWS_RELATION, key=KEY, flag="is_fit_row")
        train_rows, is_closed, is_valid = (rows[flag].to_numpy(bool) for flag in (
            "is_validation_training", "is_final_training", "is_validation"))
        X = design_matrix(rows, terms(rows))
        y = rows["is_non_returning"].to_numpy(np.float64, na_value=np.nan)
        validation_model = fit_logistic(X[train_rows], y[train_rows], FEATURES)
        p_valid = validation_model.predict(X[is_valid])
        validation_scores = [_score_table(
            run_id, "validation", pa.Table.from_pandas(rows.loc[is_valid, KEY], preserve_index=False),
            p_valid, _top_features(validation_model.contributions(X[is_valid])))]
        deciles = calibration_deciles(p_valid, y[is_valid])
        model = fit_logistic(X[is_closed], y[is_closed], FEATURES)

        def score(batch: pd.DataFrame) -> tuple[np.ndarray, pa.Array]:
            X_batch = design_matrix(batch, terms(batch))
            return model.predict(X_batch), _top_features(model.contributions(X_batch))

        fit_row.update(
            model_name="logistic_l2", converged=model.converged, reason=None,
            coefficients=json.dumps({"intercept": model.intercept, "l2": DEFAULT_L2,
                                     **dict(zip(FEATURES, model.coefficients.tolist()))}),
            train_snapshots=json.dumps([str(pd.Timestamp(d).date()) for d in closed[:-1]]), validation_snapshot=closed[-1],
            training_rows=int(is_closed.sum()), validation_rows=int(is_valid.sum()),
            validation_auc=auc(p_valid, y[is_valid]), validation_brier=brier(p_valid, y[is_valid]),
            validation_calibration_error=expected_calibration_error(p_valid, y[is_valid]),
            validation_top_decile_lift=float(deciles["lift"].iloc[-1]),
            validation_base_rate=float(y[is_valid].mean()),
        )
    calibration = None if deciles is None else pa.Table.from_pandas(deciles.assign(run_id=run_id), preserve_index=False)
    scores = pa.concat_tables(_scores(settings, run_id, score) + validation_scores)
    warehouse_io.write_churn_results(settings, fit_row, scores, calibration)
    return fit_row
