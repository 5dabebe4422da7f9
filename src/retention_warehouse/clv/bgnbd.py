"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

All functions take the data as arrays over customers or over groups of identical customers:
x = repeat transactions, t_x = recency, T = age, all in the same time unit as alpha.
The likelihood is evaluated in log space (gammaln, logaddexp), so a customer with thousands of
transactions neither overflows nor underflows; it needs no hypergeometric function.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

PARAMETERS = ("r", "alpha", "a", "b")


def _repeat_denominator(b: float, x: np.ndarray) -> np.ndarray:
    """b + x - 1, replaced by 1 where x = 0 (those terms are multiplied by zero weight)."""
    return np.where(x > 0, b + x - 1.0, 1.0)


def log_likelihood(params, x, t_x, T) -> tuple[np.ndarray, np.ndarray]:
    """Log-likelihood of each customer (FHL 2005 eq. 6) and its gradient, shape (4, n).

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / G(r) * [ (alpha+T)^-(r+x)
        + [x > 0] a / (b+x-1) * (alpha+t_x)^-(r+x) ]
    """
    r, alpha, a, b = params
    has_repeats = x > 0
    common = (
        gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    )
    log_alive = -(r + x) * np.log(alpha + T)
    log_dropped = np.where(
        has_repeats, np.log(a) - np.log(_repeat_denominator(b, x)) - (r + x) * np.log(alpha + t_x), -np.inf
    )
    log_mixture = np.logaddexp(log_alive, log_dropped)
    w_alive = np.exp(log_alive - log_mixture)
    w_dropped = np.exp(log_dropped - log_mixture)

    gradient = np.stack([
        digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * np.log(alpha + T) - w_dropped * np.log(alpha + t_x),
        r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x)),
        digamma(a + b) - digamma(a + b + x) + w_dropped / a,
        digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w_dropped / _repeat_denominator(b, x),
    ])
    return common + log_mixture, gradient


def p_alive(params, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    r, alpha, a, b = params
    log_odds_dropped = (
        np.log(a) - np.log(_repeat_denominator(b, x)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(x > 0, expit(-log_odds_dropped), 1.0)


def expected_purchases(params, t, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T] (FHL 2005 eq. 10).

    The published form multiplies 2F1(r+x, b+x; a+b+x-1; z) by (1-z)^(r+x), which overflows
    for large x. Euler's transformation gives the same value as
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose parameters do not grow with x.
    """
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    c = a + b + x - 1.0
    log_tail = (a - 1.0) * np.log1p(-z) + np.log(hyp2f1(a + b - 1.0 - r, a - 1.0, c, z))
    # 1 - (1-z)^(a-1) F = -expm1(log ...): keeps precision when a is close to 1.
    return c / (a - 1.0) * -np.expm1(log_tail) * p_alive(params, x, t_x, T)


def median_time_to_next_purchase(params, x, T) -> np.ndarray:
    """Median waiting time from T to the next purchase of a customer who is alive at T.

    While alive, purchases are Poisson(lambda) with lambda | x, T ~ Gamma(r+x, alpha+T), so the
    wait is Lomax: P(wait > t) = ((alpha+T)/(alpha+T+t))^(r+x); its median has a closed form.
    """
    r, alpha, _, _ = params
    return (alpha + T) * np.expm1(np.log(2.0) / (r + x))


def discounted_expected_purchases(params, x, t_x, T, *, horizon, period, rate_per_period) -> np.ndarray:
    """Sum over periods k = 1..ceil(horizon/period) of the expected purchases in period k
    divided by (1 + rate)^k (end-of-period discounting; the last period ends at the horizon)."""
    periods = int(np.ceil(horizon / period - 1e-12))
    total = np.zeros(np.shape(x), dtype=np.float64)
    previous = np.zeros_like(total)
    for k in range(1, periods + 1):
        cumulative = expected_purchases(params, min(k * period, horizon), x, t_x, T)
        total += (cumulative - previous) / (1.0 + rate_per_period) ** k
        previous = cumulative
    return total
