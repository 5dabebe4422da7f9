"""`retention-warehouse benchmark-clv`: fit + scoring time of this package next to lifetimes.

Both run in the same process on the same simulated customers (BG/NBD and Gamma-Gamma with the
demo generator's true parameters, acquisition spread over three years, days rounded as in the
warehouse, time unit week) and produce the same outputs: BG/NBD and Gamma-Gamma parameters,
P(alive), expected purchases over 30/90/365 days and a discounted 12-period CLV per customer.
Ours groups customers by (x, t_x, T) first, as the dbt model int_clv__sufficient_statistics does.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import pandas as pd

from retention_warehouse.generate.config import ProcessParams
from retention_warehouse.generate.purchase_process import simulate_repeat_purchases

from .fit import maximise_likelihood, require_converged
from .step import PURCHASE_WINDOWS_DAYS, score_groups

WEEK = 7.0
CALIBRATION = {
    "time_unit_days": WEEK, "horizon_days": 360, "discount_period_days": 30, "discount_rate": 0.01,
}


def simulate_customers(customers: int, seed: int, years: int = 3) -> pd.DataFrame:
    """Per customer: frequency, recency_days, customer_age_days, monetary_value (null if x = 0)."""
    truth = ProcessParams()
    gen = np.random.default_rng(seed)
    age_days = gen.integers(0, int(365 * years), customers).astype(np.float64)
    rate = gen.gamma(truth.r, 1.0 / truth.alpha, customers)  # purchases per week
    dropout = gen.beta(truth.a, truth.b, customers)
    owner, days, _ = simulate_repeat_purchases(gen, rate, dropout, age_days)
    # One transaction per customer and day; a repeat on day 0 merges with the first purchase.
    keys = np.unique(owner.astype(np.int64) * 100_000 + np.floor(days).astype(np.int64))
    owner, day = keys // 100_000, keys % 100_000
    owner, day = owner[day > 0], day[day > 0]
    frequency = np.bincount(owner, minlength=customers)
    recency = np.zeros(customers, dtype=np.int64)
    np.maximum.at(recency, owner, day)
    value_rate = gen.gamma(truth.q, 1.0 / truth.gamma, customers)
    repeat = frequency > 0
    # The mean of x Gamma(p, nu) transaction values is Gamma(p x, x nu).
    monetary = np.full(customers, np.nan)
    monetary[repeat] = gen.gamma(truth.p_gg * frequency[repeat], 1.0 / (frequency[repeat] * value_rate[repeat]))
    return pd.DataFrame({
        "frequency": frequency, "recency_days": recency, "customer_age_days": age_days.astype(np.int64),
        "monetary_value": monetary,
    })


def run_ours(data: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    keys = ["frequency", "recency_days", "customer_age_days"]
    statistics = data.groupby(keys, sort=False).agg(customers=("frequency", "size")).reset_index()
    statistics["recency"] = statistics["recency_days"] / WEEK
    statistics["customer_age"] = statistics["customer_age_days"] / WEEK
    repeat = data[data["frequency"] > 0]
    spend = repeat.groupby(["frequency", "monetary_value"], sort=False).size().rename("customers").reset_index()
    bgnbd = require_converged(maximise_likelihood(
        "bg_nbd", (statistics["frequency"], statistics["recency"], statistics["customer_age"]), statistics["customers"],
    ))
    gamma_gamma = require_converged(
        maximise_likelihood("gamma_gamma", (spend["frequency"], spend["monetary_value"]), spend["customers"])
    )
    scores = score_groups(bgnbd.values(), statistics, CALIBRATION)
    per_customer = data.merge(scores, on=["frequency", "recency_days", "customer_age_days"], how="left")
    return {**bgnbd.params, **gamma_gamma.params}, per_customer


def run_lifetimes(data: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    x, t_x, age = data["frequency"], data["recency_days"] / WEEK, data["customer_age_days"] / WEEK
    bgnbd = BetaGeoFitter().fit(x, t_x, age)
    repeat = data["frequency"] > 0
    gamma_gamma = GammaGammaFitter().fit(data["frequency"][repeat], data["monetary_value"][repeat])
    scores = {"p_alive": bgnbd.conditional_probability_alive(x, t_x, age)}
    for days in PURCHASE_WINDOWS_DAYS:
        scores[f"expected_purchases_{days}d"] = bgnbd.conditional_expected_number_of_purchases_up_to_time(
            days / WEEK, x, t_x, age)
    scores["clv"] = gamma_gamma.customer_lifetime_value(
        bgnbd, x, t_x, age, data["monetary_value"].fillna(0.0), time=12, discount_rate=0.01, freq="W")
    return {**bgnbd.params_.to_dict(), **gamma_gamma.params_.to_dict()}, pd.DataFrame(scores)


@contextmanager
def _timer(timings: dict, name: str):
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start


def run_benchmark(customers: int, seed: int = 1) -> dict:
    try:
        import lifetimes  # noqa: F401 - fail before the long simulation
    except ImportError as error:
        raise RuntimeError("benchmark-clv compares with lifetimes: pip install lifetimes==0.11.3") from error
    data = simulate_customers(customers, seed)
    timings: dict[str, float] = {}
    with _timer(timings, "ours"):
        ours, our_scores = run_ours(data)
    with _timer(timings, "lifetimes"):
        theirs, their_scores = run_lifetimes(data)
    groups = data.groupby(["frequency", "recency_days", "customer_age_days"]).ngroups
    print(f"customers {customers:,}  repeat buyers {(data['frequency'] > 0).sum():,}  (x, t_x, T) groups {groups:,}")
    print(f"{'parameter':<10}{'ours':>14}{'lifetimes':>14}{'truth':>10}")
    truth = ProcessParams()
    truths = {"r": truth.r, "alpha": truth.alpha, "a": truth.a, "b": truth.b, "p": truth.p_gg, "q": truth.q, "gamma": truth.gamma}
    for name, theirs_name in zip(truths, ["r", "alpha", "a", "b", "p", "q", "v"]):
        print(f"{name:<10}{ours[name]:>14.6f}{theirs[theirs_name]:>14.6f}{truths[name]:>10.3f}")
    for column in ("p_alive", *(f"expected_purchases_{days}d" for days in PURCHASE_WINDOWS_DAYS)):
        gap = np.max(np.abs(our_scores[column] / their_scores[column] - 1.0))
        print(f"max relative difference of {column} (each at its own fit): {gap:.2e}")
    ratio = timings["lifetimes"] / timings["ours"]
    print(f"fit + scoring: ours {timings['ours']:.2f} s, lifetimes {timings['lifetimes']:.2f} s, "
          f"ratio {ratio:.1f}x faster (goal >= 5x)")
    return {**timings, "ratio": ratio}
