"""BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

Data are arrays over customers or over groups of identical customers: x = repeat transactions,
t_x = recency, T = age, all in the same time unit as alpha. The likelihood is evaluated in log
space (gammaln, log-sum-exp), so a customer with thousands of transactions neither overflows nor
underflows; it needs no hypergeometric function.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1, log_expit

from .weighted import dot

PARAMETERS = ("r", "alpha", "a", "b")


class Likelihood:
    """Summed log-likelihood (FHL 2005 eq. 6) of weighted groups, and its gradient:

    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / G(r) * [ (alpha+T)^-(r+x)
        + [x > 0] a / (b+x-1) * (alpha+t_x)^-(r+x) ]

    Everything but the bracket depends on x alone, and x takes few distinct values, so those
    terms are evaluated once per distinct x with the summed weights; only the bracket is
    evaluated per group, and for x = 0 it reduces to its first term.
    """

    def __init__(self, x, t_x, T, weights):
        self.x_values, x_index = np.unique(x, return_inverse=True)
        self.x_weights = np.bincount(x_index, weights=weights)
        zero = x == 0
        self.zero_T, self.zero_weights = T[zero], weights[zero]
        self.x, self.t_x, self.T, self.weights = x[~zero], t_x[~zero], T[~zero], weights[~zero]

    def __call__(self, params) -> tuple[float, np.ndarray]:
        r, alpha, a, b = params
        xv, wx = self.x_values, self.x_weights
        value = dot(wx, (
            gammaln(r + xv) - gammaln(r) + r * np.log(alpha)
            + gammaln(a + b) + gammaln(b + xv) - gammaln(b) - gammaln(a + b + xv)
        ))
        gradient = np.array([
            dot(wx, digamma(r + xv) - digamma(r) + np.log(alpha)),
            wx.sum() * r / alpha,
            dot(wx, digamma(a + b) - digamma(a + b + xv)),
            dot(wx, digamma(a + b) + digamma(b + xv) - digamma(b) - digamma(a + b + xv)),
        ])

        # x = 0: the bracket is (alpha+T)^-r.
        log_age = np.log(alpha + self.zero_T)
        value -= r * dot(self.zero_weights, log_age)
        gradient[0] -= dot(self.zero_weights, log_age)
        gradient[1] -= r * dot(self.zero_weights, 1.0 / (alpha + self.zero_T))

        # x > 0: log bracket = log_alive + log(1 + exp(d)), d = log_dropped - log_alive.
        x, w = self.x, self.weights
        log_age, log_recency = np.log(alpha + self.T), np.log(alpha + self.t_x)
        log_alive = -(r + x) * log_age
        d = np.log(a) - np.log(b + x - 1.0) + (r + x) * (log_age - log_recency)
        value += dot(w, log_alive - log_expit(-d))
        w_dropped = w * expit(d)  # weight of the "dropped after the last purchase" term
        w_alive = w - w_dropped
        gradient += np.array([
            -(dot(w_alive, log_age) + dot(w_dropped, log_recency)),
            -(dot(w_alive * (r + x), 1.0 / (alpha + self.T)) + dot(w_dropped * (r + x), 1.0 / (alpha + self.t_x))),
            w_dropped.sum() / a,
            -dot(w_dropped, 1.0 / (b + x - 1.0)),
        ])
        return float(value), gradient


def _repeat_denominator(b: float, x: np.ndarray) -> np.ndarray:
    """b + x - 1, replaced by 1 where x = 0 (those terms are not used)."""
    return np.where(x > 0, b + x - 1.0, 1.0)


def p_alive(params, x, t_x, T) -> np.ndarray:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    r, alpha, a, b = params
    log_odds_dropped = (
        np.log(a) - np.log(_repeat_denominator(b, x)) + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(x > 0, expit(-log_odds_dropped), 1.0)


def expected_purchases_if_alive(params, t, x, T) -> np.ndarray:
    """E[purchases in (T, T+t] | alive at T, x, T]; it does not depend on t_x.

    FHL 2005 eq. 10 multiplies 2F1(r+x, b+x; a+b+x-1; z), z = t/(alpha+T+t), by (1-z)^(r+x),
    which overflows for large x. Euler's transformation gives the same value as
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose parameters do not grow with x.
    """
    r, alpha, a, b = params
    z = t / (alpha + T + t)
    c = a + b + x - 1.0
    log_tail = (a - 1.0) * np.log1p(-z) + np.log(hyp2f1(a + b - 1.0 - r, a - 1.0, c, z))
    # 1 - (1-z)^(a-1) F = -expm1(log ...): keeps precision when a is close to 1.
    return c / (a - 1.0) * -np.expm1(log_tail)


def expected_purchases(params, t, x, t_x, T) -> np.ndarray:
    """E[purchases in (T, T+t] | x, t_x, T] (FHL 2005 eq. 10)."""
    return expected_purchases_if_alive(params, t, x, T) * p_alive(params, x, t_x, T)


def median_time_to_next_purchase(params, x, t_x, T) -> np.ndarray:
    """Time from T by which the next purchase has happened with probability 1/2; NaN when the
    probability of any further purchase, P(alive), is 1/2 or less.

    Dropout happens only right after a purchase, so an alive customer's next purchase comes after
    an exponential wait with lambda | x, T ~ Gamma(r+x, alpha+T): P(next by T+t) =
    P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x)), which solves for t in closed form.
    """
    r, alpha, _, _ = params
    alive = p_alive(params, x, t_x, T)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_survival = np.log1p(-0.5 / alive)  # log of the Lomax survival at the median
        return np.where(alive > 0.5, (alpha + T) * np.expm1(-log_survival / (r + x)), np.nan)


def discount_schedule(horizon, period, rate_per_period) -> list[tuple[float, float]]:
    """(end of period k, 1 / (1 + rate)^k) for k = 1..ceil(horizon/period); the last period ends
    at the horizon (end-of-period discounting, as in lifetimes' customer_lifetime_value)."""
    periods = int(np.ceil(horizon / period - 1e-12))
    return [(min(k * period, horizon), (1.0 + rate_per_period) ** -k) for k in range(1, periods + 1)]
