"""CLV proof on real data: the CDNOW sample (2,357 customers, Fader, Hardie & Lee 2005) imported
through `import-orders` and built through `retention-warehouse build` with calibration end
1997-09-30 and weeks.

Expected parameters are the published ones; per-customer summaries and predictions are compared
with lifetimes 0.11.3 (an independent implementation, dev extra), given our fitted parameters so
that the comparison isolates the formulas from the optimizer.
"""

from __future__ import annotations

import importlib.resources
import json

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import isolated_settings, run_cli
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

CDNOW_SAMPLE = importlib.resources.files("lifetimes.datasets") / "CDNOW_sample.txt"
CALIBRATION_END = "1997-09-30"
# 12 discount periods of 30 days at 1 % each: lifetimes' customer_lifetime_value(time=12,
# discount_rate=0.01, freq="D") with recency and T in days uses exactly these periods.
CLV_VARS = {
    "clv_calibration_end": CALIBRATION_END, "clv_time_unit": "week",
    "clv_horizon_days": 360, "clv_discount_rate": 0.01, "clv_discount_period_days": 30,
}
RELATIVE_AGREEMENT = 1e-6


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    """The CDNOW sample built into a temporary warehouse; yields (fits, customers) frames."""
    settings = isolated_settings(tmp_path_factory.mktemp("cdnow"))
    run_cli(settings, "import-orders", "--format", "cdnow", str(CDNOW_SAMPLE))
    run_cli(settings, "build", "--vars", json.dumps(CLV_VARS))
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        fits = connection.sql("select * from marts.fct_clv_model_fit where is_current").df()
        customers = connection.sql("""
            select rfm.*, predictions.* exclude (customer_id, calibration_end_date)
            from intermediate.int_clv__rfm_summary as rfm
            inner join intermediate.int_clv__customer_predictions as predictions using (customer_id)
        """).df()
    return fits.set_index("model_name"), customers.set_index("customer_id").sort_index()


@pytest.fixture(scope="module")
def reference_summary():
    """lifetimes' own RFM summary of the raw file: days / 7, same-day purchases merged."""
    raw = pd.read_csv(
        CDNOW_SAMPLE, sep=r"\s+", header=None, names=["master_id", "customer_id", "date", "quantity", "amount"],
        dtype={"customer_id": str, "date": str},
    )
    return summary_data_from_transaction_data(
        raw, "customer_id", "date", "amount", datetime_format="%Y%m%d",
        observation_period_end=CALIBRATION_END.replace("-", ""), freq="D", freq_multiplier=7,
    ).sort_index()


def _bgnbd(fits, days_per_unit=1.0) -> BetaGeoFitter:
    """A lifetimes BG/NBD model holding our parameters (alpha rescaled to another time unit)."""
    fitter = BetaGeoFitter()
    row = fits.loc["bg_nbd"]
    fitter.params_ = pd.Series({"r": row.r, "alpha": row.alpha * days_per_unit, "a": row.a, "b": row.b})
    fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time  # as fit() sets it
    return fitter


def _assert_close(ours, reference):
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    assert np.all(np.isfinite(ours))
    worst = np.max(np.abs(ours - reference) / np.maximum(np.abs(reference), 1e-300))
    assert worst <= RELATIVE_AGREEMENT, f"largest relative difference {worst:.3g}"


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow):
    fits, _ = cdnow
    bgnbd = fits.loc["bg_nbd"]
    assert bool(bgnbd.converged)
    assert (round(bgnbd.r, 3), round(bgnbd.alpha, 3), round(bgnbd.a, 3), round(bgnbd.b, 3)) == (
        0.243, 4.414, 0.793, 2.426)
    assert round(bgnbd.log_likelihood, 1) == -9582.4  # FHL 2005, section 5
    assert (bgnbd.customers, bgnbd.time_unit, str(bgnbd.calibration_end_date)[:10]) == (
        2357, "week", CALIBRATION_END)


def test_gamma_gamma_reproduces_published_estimates(cdnow):
    fits, _ = cdnow
    spend = fits.loc["gamma_gamma"]
    assert bool(spend.converged)
    assert (round(spend.p, 2), round(spend.q, 2), round(spend.gamma, 2)) == (6.25, 3.74, 15.44)
    assert spend.customers == 946  # repeat customers in the calibration period (Fader & Hardie 2013)


def test_fit_is_at_least_as_good_as_lifetimes(cdnow, reference_summary):
    fits, _ = cdnow
    reference = BetaGeoFitter().fit(reference_summary["frequency"], reference_summary["recency"], reference_summary["T"])
    ours = _bgnbd(fits)
    data = [reference_summary[column].to_numpy() for column in ("frequency", "recency", "T")]
    weights, no_penalty = np.ones(len(reference_summary)), 0.0

    def negative_log_likelihood(model):  # lifetimes' own likelihood, at that model's parameters
        return model._negative_log_likelihood(np.log(model.params_.to_numpy()), *data, weights, no_penalty)

    assert negative_log_likelihood(ours) <= negative_log_likelihood(reference) + 1e-12
    assert np.allclose(ours.params_.to_numpy(), reference.params_.to_numpy(), rtol=1e-3)


def test_rfm_summary_matches_lifetimes(cdnow, reference_summary):
    _, customers = cdnow
    assert list(customers.index) == list(reference_summary.index)
    assert np.array_equal(customers["frequency"], reference_summary["frequency"])
    _assert_close(customers["recency"] + 1.0, reference_summary["recency"] + 1.0)  # recency is often 0
    _assert_close(customers["customer_age"], reference_summary["T"])
    repeat = reference_summary["frequency"] > 0
    _assert_close(customers["monetary_value"][repeat], reference_summary["monetary_value"][repeat])
    assert customers["monetary_value"][~repeat].isna().all()


def test_p_alive_and_expected_purchases_agree_with_lifetimes(cdnow):
    fits, customers = cdnow
    model = _bgnbd(fits)
    x, t_x, age = customers["frequency"], customers["recency"], customers["customer_age"]
    _assert_close(customers["p_alive"], model.conditional_probability_alive(x, t_x, age))
    for days in (30, 90, 365):
        expected = model.conditional_expected_number_of_purchases_up_to_time(days / 7, x, t_x, age)
        _assert_close(customers[f"expected_purchases_{days}d"], expected)


def test_order_value_and_clv_agree_with_lifetimes(cdnow):
    fits, customers = cdnow
    spend = GammaGammaFitter()
    row = fits.loc["gamma_gamma"]
    spend.params_ = pd.Series({"p": row.p, "q": row.q, "v": row.gamma})
    monetary = customers["monetary_value"].fillna(0.0)
    _assert_close(
        customers["expected_average_order_value_base"],
        spend.conditional_expected_average_profit(customers["frequency"], monetary),
    )
    # Same model in days (alpha x 7) so that lifetimes' 30-day discount periods apply.
    clv = spend.customer_lifetime_value(
        _bgnbd(fits, days_per_unit=7.0), customers["frequency"], customers["recency_days"],
        customers["customer_age_days"], monetary, time=12, discount_rate=0.01, freq="D",
    )
    _assert_close(customers["predicted_clv_base"], clv)
