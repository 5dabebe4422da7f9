"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013).

Data: x = repeat transactions (> 0) and m = their mean value. Each transaction value is
Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers. Scoring (the conditional expected
transaction value) is a closed form and lives in SQL: macros/clv/gamma_gamma_expected_spend.sql.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from .weighted import dot

PARAMETERS = ("p", "q", "gamma")


class Likelihood:
    """Summed log density of the customers' mean spend, and its gradient:

    f(m | x) = G(px+q) / (G(px) G(q)) * gamma^q * m^(px-1) * x^(px) / (gamma + m x)^(px+q)

    The Gamma-function terms depend on x alone (few distinct values); log m and log x are data.
    """

    def __init__(self, x, m, weights):
        self.x_values, x_index = np.unique(x, return_inverse=True)
        self.x_weights = np.bincount(x_index, weights=weights)
        self.x, self.m, self.weights = x, m, weights
        self.weighted_log_m = dot(weights, np.log(m))
        self.weighted_x_log_mx = dot(weights * x, np.log(m) + np.log(x))

    def __call__(self, params) -> tuple[float, np.ndarray]:
        p, q, gamma = params
        px, wx = p * self.x_values, self.x_weights
        log_total = np.log(gamma + self.m * self.x)
        w_log_total = dot(self.weights, log_total)
        wx_log_total = dot(self.weights * self.x, log_total)
        value = (
            dot(wx, gammaln(px + q) - gammaln(px)) + wx.sum() * (q * np.log(gamma) - gammaln(q))
            + p * self.weighted_x_log_mx - self.weighted_log_m
            - p * wx_log_total - q * w_log_total
        )
        shares = (p * self.x + q) / (gamma + self.m * self.x)
        gradient = np.array([
            dot(wx * self.x_values, digamma(px + q) - digamma(px)) + self.weighted_x_log_mx - wx_log_total,
            dot(wx, digamma(px + q)) + wx.sum() * (np.log(gamma) - digamma(q)) - w_log_total,
            wx.sum() * q / gamma - dot(self.weights, shares),
        ])
        return float(value), gradient
