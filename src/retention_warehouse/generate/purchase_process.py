"""The completed-order process: BG/NBD counts and timing, Gamma-Gamma values.

BG/NBD (Fader, Hardie & Lee 2005), time unit one week:
  * lambda_i ~ Gamma(shape r, rate alpha); while alive, repeat purchases are Poisson(lambda_i);
  * p_i ~ Beta(a, b); right AFTER each repeat purchase the customer becomes inactive with
    probability p_i. The first (acquisition) purchase at time 0 has no dropout coin, exactly as
    in the BG/NBD likelihood, where a customer with x = 0 repeats is alive at T for sure.
Gamma-Gamma: nu_i ~ Gamma(shape q, rate gamma); each order value z ~ Gamma(shape p_gg, rate nu_i).

The simulation runs in the seasonal clock's operational time (see timeutil.SeasonalClock), so
it is exact BG/NBD there; callers map times back to calendar time.
"""

from __future__ import annotations

import numpy as np
from scipy.special import hyp2f1

WEEK_DAYS = 7.0


def simulate_repeat_purchases(
    gen: np.random.Generator, lam_week: np.ndarray, p: np.ndarray, horizon_days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat purchases within each customer's horizon.

    Returns (customer index, days since acquisition, dropped) with purchases sorted by customer
    then time; `dropped[i]` is True when customer i became inactive inside the horizon.
    Vectorised over customers: round k draws everyone's k-th inter-purchase gap, so the Python
    loop runs max(purchases per customer) times while the work is proportional to purchases.
    """
    n = len(lam_week)
    mean_gap = WEEK_DAYS / np.maximum(lam_week, 1e-300)  # lambda can underflow to 0
    clock = np.zeros(n)
    dropped = np.zeros(n, dtype=bool)
    alive = np.arange(n)
    found_cust, found_days = [], []
    while alive.size:
        t = clock[alive] + gen.standard_exponential(alive.size) * mean_gap[alive]
        inside = t < horizon_days[alive]
        alive, t = alive[inside], t[inside]
        found_cust.append(alive)
        found_days.append(t)
        clock[alive] = t
        quits = gen.random(alive.size) < p[alive]
        dropped[alive[quits]] = True
        alive = alive[~quits]
    cust = np.concatenate(found_cust) if found_cust else np.zeros(0, np.int64)
    days = np.concatenate(found_days) if found_days else np.zeros(0)
    order = np.argsort(cust, kind="stable")  # rounds are already time-ordered per customer
    return cust[order], days[order], dropped


def order_values(gen: np.random.Generator, nu: np.ndarray, p_gg: float) -> np.ndarray:
    """Gamma-Gamma order values (USD) for orders whose customers have Gamma rates `nu`."""
    return gen.gamma(p_gg, 1.0, len(nu)) / nu


def expected_repeat_purchases(t_weeks: np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """BG/NBD E[X(t)] (FHL 2005, eq. 9); valid for a < 1 too by analytic continuation."""
    t = np.asarray(t_weeks, dtype=np.float64)
    z = t / (alpha + t)
    return (a + b - 1.0) / (a - 1.0) * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, z))
