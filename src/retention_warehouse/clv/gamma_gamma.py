"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013).

Data: x = repeat transactions (> 0) and m = their mean value. Each transaction value is
Gamma(p, nu) with nu ~ Gamma(q, gamma) across customers. Scoring (the conditional expected
transaction value) is a closed form and lives in SQL: macros/clv/gamma_gamma_expected_spend.sql.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

PARAMETERS = ("p", "q", "gamma")


def log_likelihood(params, x, m) -> tuple[np.ndarray, np.ndarray]:
    """Log density of each customer's mean spend m and its gradient, shape (3, n):

    f(m | x) = G(px+q) / (G(px) G(q)) * gamma^q * m^(px-1) * x^(px) / (gamma + m x)^(px+q)
    """
    p, q, gamma = params
    px = p * x
    log_total = np.log(gamma + m * x)
    value = (
        gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
        + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_total
    )
    gradient = np.stack([
        x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - log_total),
        digamma(px + q) - digamma(q) + np.log(gamma) - log_total,
        q / gamma - (px + q) / (gamma + m * x),
    ])
    return value, gradient
