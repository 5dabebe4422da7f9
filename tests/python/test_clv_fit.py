"""The CLV likelihoods, predictions and fit step, against independent computations.

Fast: no dbt. The fit step runs on a hand-made DuckDB warehouse holding only its input relations.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import isolated_settings
from scipy import integrate, stats
from scipy.special import betaln, gammaln, hyp2f1

from retention_warehouse.clv import bgnbd, gamma_gamma
from retention_warehouse.clv.benchmark import simulate_customers
from retention_warehouse.clv.fit import ClvFitError, maximise_likelihood
from retention_warehouse.clv.step import fit_clv

BGNBD = (0.24, 4.4, 0.79, 2.4)  # near the CDNOW estimates, in weeks
X = np.array([0.0, 0.0, 1.0, 2.0, 7.0, 30.0, 300.0])
RECENCY = np.array([0.0, 0.0, 1.5, 20.0, 30.0, 38.0, 38.5])
AGE = np.array([5.0, 38.0, 30.0, 38.0, 38.5, 38.6, 38.6])


def direct_bgnbd_log_likelihood(params, x, t_x, T):
    """FHL 2005 eq. 6 term by term, in plain floats (fine for moderate x)."""
    r, alpha, a, b = params
    head = np.exp(gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b))
    alive = (alpha + T) ** -(r + x)
    dropped = np.where(x > 0, a / (b + np.maximum(x, 1) - 1) * (alpha + t_x) ** -(r + x), 0.0)
    return np.log(head * (alive + dropped))


def numerical_gradient(function, params, step=1e-6):
    params = np.asarray(params, dtype=float)
    return np.array([
        (function(params + step * unit)[0] - function(params - step * unit)[0]) / (2 * step)
        for unit in np.eye(len(params))
    ])


def test_bgnbd_likelihood_matches_the_published_formula_and_its_gradient():
    weights = np.array([3.0, 1.0, 2.0, 1.0, 1.0, 4.0, 1.0])
    moderate = X < 100  # the direct formula overflows for x = 300
    likelihood = bgnbd.Likelihood(X[moderate], RECENCY[moderate], AGE[moderate], weights[moderate])
    value, gradient = likelihood(BGNBD)
    expected = weights[moderate] @ direct_bgnbd_log_likelihood(BGNBD, X[moderate], RECENCY[moderate], AGE[moderate])
    assert value == pytest.approx(expected, rel=1e-12)
    assert gradient == pytest.approx(numerical_gradient(likelihood, BGNBD), rel=1e-6)
    heavy_value, _ = bgnbd.Likelihood(X, RECENCY, AGE, weights)(BGNBD)
    assert np.isfinite(heavy_value)


def test_gamma_gamma_likelihood_matches_the_density_and_its_gradient():
    p, q, gamma = 6.25, 3.74, 15.44
    x, m = np.array([1.0, 2.0, 5.0, 40.0]), np.array([12.0, 30.5, 8.25, 27.0])
    weights = np.array([2.0, 1.0, 1.0, 3.0])
    likelihood = gamma_gamma.Likelihood(x, m, weights)
    value, gradient = likelihood((p, q, gamma))
    # The mean of x Gamma(p, nu) values is Gamma(p x, x nu); integrate nu ~ Gamma(q, gamma) out.
    density = [
        integrate.quad(lambda nu, xi=xi, mi=mi: stats.gamma.pdf(mi, p * xi, scale=1 / (xi * nu))
                       * stats.gamma.pdf(nu, q, scale=1 / gamma), 0, np.inf, limit=200)[0]
        for xi, mi in zip(x, m)
    ]
    assert value == pytest.approx(weights @ np.log(density), rel=1e-7)
    assert gradient == pytest.approx(numerical_gradient(likelihood, (p, q, gamma)), rel=1e-6)


def expected_purchases_by_integration(params, t, x, t_x, T):
    """Independent derivation: given alive, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x);
    E[purchases in t | lambda, p] = (1 - exp(-lambda p t)) / p, and the lambda integral is closed."""
    r, alpha, a, b = params
    def integrand(p):
        return -np.expm1((r + x) * np.log((alpha + T) / (alpha + T + p * t))) / p * stats.beta.pdf(p, a, b + x)
    return integrate.quad(integrand, 0, 1, limit=200)[0] * bgnbd.p_alive(params, x, t_x, T)


@pytest.mark.parametrize("t", [30 / 7, 365 / 7, 500.0])
def test_expected_purchases_equal_the_integral(t):
    ours = bgnbd.expected_purchases(BGNBD, t, X, RECENCY, AGE)
    reference = [expected_purchases_by_integration(BGNBD, t, *row) for row in zip(X, RECENCY, AGE)]
    assert ours == pytest.approx(reference, rel=1e-7)


def test_expected_purchases_of_heavy_buyers_stay_finite():
    x, t_x, T, t = np.array([2000.0, 300.0]), np.array([99.0, 38.0]), np.array([100.0, 38.6]), np.array([52.0, 500.0])
    r, alpha, a, b = BGNBD
    with np.errstate(all="ignore"):  # the published form: 2F1 with parameters growing with x
        published = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t)) * ((alpha + T) / (alpha + T + t)) ** (r + x)
    assert not np.isfinite(published).any()
    ours = bgnbd.expected_purchases(BGNBD, t, x, t_x, T)
    reference = [expected_purchases_by_integration(BGNBD, *row) for row in zip(t, x, t_x, T)]
    assert ours == pytest.approx(reference, rel=1e-7)


def test_median_time_to_next_purchase_matches_simulation():
    rng = np.random.default_rng(3)
    x, t_x, T = np.array([2.0, 0.0]), np.array([30.0, 0.0]), np.array([38.0, 10.0])
    r, alpha, _a, _b = BGNBD
    medians = bgnbd.median_time_to_next_purchase(BGNBD, x, t_x, T)
    for i in range(2):
        draws = 400_000
        alive = rng.random(draws) < bgnbd.p_alive(BGNBD, x[i], t_x[i], T[i])
        rate = rng.gamma(r + x[i], 1 / (alpha + T[i]), draws)
        wait = np.where(alive, rng.exponential(1 / rate), np.inf)
        assert np.mean(wait <= medians[i]) == pytest.approx(0.5, abs=0.005)
    dropped = bgnbd.median_time_to_next_purchase(BGNBD, np.array([5.0]), np.array([1.0]), np.array([38.0]))
    assert np.isnan(dropped[0])  # P(alive) < 1/2: more likely than not never buys again


def test_a_fit_whose_parameters_the_data_cannot_identify_fails():
    # Nobody repeats: a and b drop out of the likelihood, every value of them is "optimal".
    result = maximise_likelihood("bg_nbd", (np.zeros(3), np.zeros(3), np.array([5.0, 10.0, 20.0])), np.ones(3))
    assert not result.converged and "do not identify" in result.message
    # Identical mean spends: the Gamma-Gamma variance goes to zero, the parameters to infinity.
    result = maximise_likelihood("gamma_gamma", (np.array([2.0, 3.0]), np.array([10.0, 10.0])), np.ones(2))
    assert not result.converged


def make_fit_inputs(path, customers: pd.DataFrame):
    """A warehouse holding only the fit step's three input relations (weeks, default horizon),
    built from per-customer frequency, recency_days, customer_age_days and monetary_value."""
    keys = ["frequency", "recency_days", "customer_age_days"]
    statistics = customers.groupby(keys).size().rename("customers").reset_index()
    statistics["recency"] = statistics["recency_days"] / 7
    statistics["customer_age"] = statistics["customer_age_days"] / 7
    repeat = customers[customers["frequency"] > 0]
    spend = repeat.groupby(["frequency", "monetary_value"]).size().rename("customers").reset_index()
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema intermediate")
        connection.execute("""create table intermediate.int_clv__calibration as select
            date '2024-06-30' as calibration_end_date, 'week' as time_unit, 7 as time_unit_days,
            365 as horizon_days, 0.008 as discount_rate, 30 as discount_period_days""")
        connection.from_df(statistics).create("intermediate.int_clv__sufficient_statistics")
        connection.from_df(spend).create("intermediate.int_clv__spend_statistics")


def test_fit_step_records_a_failed_fit_and_raises(tmp_path):
    settings = isolated_settings(tmp_path)
    nobody_repeats = pd.DataFrame({
        "frequency": 0, "recency_days": 0, "customer_age_days": [35, 70, 140], "monetary_value": np.nan,
    })
    make_fit_inputs(settings.warehouse_path, nobody_repeats)
    with pytest.raises(ClvFitError, match="bg_nbd fit did not converge"):
        fit_clv(settings)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        rows = connection.sql("select model_name, converged, r is null as no_r from clv_fit.model_fits").fetchall()
        tables = connection.sql("select table_name from information_schema.tables where table_schema = 'clv_fit'")
        assert {row[0] for row in tables.fetchall()} == {"model_fits"}  # no scores from a failed fit
    assert ("bg_nbd", False, False) in rows


def test_fit_step_appends_fits_and_replaces_scores(tmp_path):
    customers = simulate_customers(400, seed=5)  # BG/NBD data in days
    settings = isolated_settings(tmp_path)
    make_fit_inputs(settings.warehouse_path, customers)
    first, second = fit_clv(settings), fit_clv(settings)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        fits = connection.sql("select run_id, model_name, calibration_end_date from clv_fit.model_fits").df()
        scores = connection.sql("select * from clv_fit.bgnbd_scores").df()
    assert len(fits) == 4 and set(fits["run_id"]) == {first["run_id"], second["run_id"]}
    assert (fits["calibration_end_date"].dt.date == dt.date(2024, 6, 30)).all()
    groups = customers.groupby(["frequency", "recency_days", "customer_age_days"]).ngroups
    assert set(scores["run_id"]) == {second["run_id"]} and len(scores) == groups
    params = tuple(second["bg_nbd"].values())
    x, t_x, T = (scores[c].to_numpy(float) for c in ("frequency", "recency_days", "customer_age_days"))
    t_x, T = t_x / 7, T / 7
    assert scores["p_alive"].to_numpy() == pytest.approx(bgnbd.p_alive(params, x, t_x, T), rel=1e-12)
    # 13 periods of 30 days (the last one 5 days) at 0.8 % each.
    ends = [min(30 * k, 365) / 7 for k in range(1, 14)]
    cumulative = np.array([bgnbd.expected_purchases(params, end, x, t_x, T) for end in ends])
    increments = np.diff(cumulative, axis=0, prepend=0.0)
    discounted = (increments / 1.008 ** np.arange(1, 14)[:, None]).sum(axis=0)
    assert scores["discounted_expected_purchases"].to_numpy() == pytest.approx(discounted, rel=1e-12)
