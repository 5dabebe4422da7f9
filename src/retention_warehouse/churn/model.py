"""L2-regularised logistic regression of churn (1 = no purchase within the horizon) on snapshot
features. Inputs are standardised with the training rows' mean and spread, so the penalty treats
every feature alike and `coefficient x standardised value` is each feature's contribution to the
log-odds of one customer (the model's explanation). The fit starts from zeros and uses L-BFGS: the
same rows give the same model on every run and engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

DEFAULT_L2 = 1.0


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    intercept: float
    coefficients: np.ndarray
    converged: bool

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Each feature's term of the log-odds, per row (the intercept aside)."""
        return (X - self.mean) / self.scale * self.coefficients

    def predict(self, X: np.ndarray) -> np.ndarray:
        log_odds = self.intercept + self.contributions(X).sum(axis=1)
        return 1.0 / (1.0 + np.exp(-log_odds))


def fit_logistic(X: np.ndarray, y: np.ndarray, features: tuple[str, ...], l2: float = DEFAULT_L2) -> LogisticModel:
    """Minimise the negative log-likelihood plus l2/2 x |coefficients|^2 (intercept unpenalised)."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant column contributes nothing
    Z = np.column_stack([np.ones(len(X)), (X - mean) / scale])

    def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
        log_odds = Z @ w
        loss = np.sum(np.logaddexp(0.0, log_odds) - y * log_odds) + 0.5 * l2 * np.sum(w[1:] ** 2)
        gradient = Z.T @ (1.0 / (1.0 + np.exp(-log_odds)) - y) + l2 * np.r_[0.0, w[1:]]
        return float(loss), gradient

    result = minimize(objective, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 1000, "gtol": 1e-8})
    return LogisticModel(features, mean, scale, float(result.x[0]), result.x[1:], bool(result.success))
