"""Maximum-likelihood fit of a CLV model on grouped sufficient statistics.

Customers with identical statistics have identical likelihood terms, so the log-likelihood is a
weighted sum over distinct groups and the cost follows the number of groups, not customers.
Parameters are optimised on the log scale (they are all positive) with the analytic gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np
from scipy.optimize import minimize

from . import bgnbd, gamma_gamma

# Largest accepted |d mean log-likelihood / d log parameter| at the optimum. The objective is the
# mean over customers, so the threshold does not depend on the number of customers.
GRADIENT_TOLERANCE = 1e-6


class ClvFitError(RuntimeError):
    """The maximum-likelihood fit did not converge; the message gives the reason."""


@dataclass(frozen=True)
class FitResult:
    model: str
    params: dict[str, float]
    log_likelihood: float
    n_customers: int
    n_groups: int
    converged: bool
    iterations: int
    message: str

    def values(self) -> tuple[float, ...]:
        return tuple(self.params.values())


MODELS: dict[str, ModuleType] = {"bg_nbd": bgnbd, "gamma_gamma": gamma_gamma}


def maximise_likelihood(model: str, data: tuple[np.ndarray, ...], weights: np.ndarray) -> FitResult:
    """Fit `model` ("bg_nbd" on (x, t_x, T) or "gamma_gamma" on (x, m)), weights = customers per group.

    Returns the result whether or not it converged; `require_converged` turns failure into an error.
    """
    module = MODELS[model]
    weights = np.asarray(weights, dtype=np.float64)
    data = tuple(np.asarray(column, dtype=np.float64) for column in data)
    customers = float(weights.sum())
    if customers <= 0 or len(weights) == 0:
        return FitResult(model, {}, float("nan"), 0, 0, False, 0, "no customers to fit")

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        values, gradient = module.log_likelihood(params, *data)
        # Chain rule to log parameters: d/du = theta * d/dtheta.
        return -float(weights @ values) / customers, -(gradient @ weights) / customers * params

    start = np.zeros(len(module.PARAMETERS))  # all parameters 1, as in lifetimes
    with np.errstate(all="ignore"):  # overflow while exploring is rejected by the line search
        result = minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
        value, gradient = objective(result.x)
    largest = float(np.max(np.abs(gradient)))
    converged = bool(np.isfinite(value) and np.all(np.isfinite(result.x)) and largest <= GRADIENT_TOLERANCE)
    reason = "gradient below tolerance" if converged else f"largest gradient {largest:.3g} > {GRADIENT_TOLERANCE:g}"
    return FitResult(
        model=model,
        params=dict(zip(module.PARAMETERS, np.exp(result.x).tolist())),
        log_likelihood=-value * customers,
        n_customers=int(round(customers)),
        n_groups=len(weights),
        converged=converged,
        iterations=int(result.nit),
        message=f"{reason}; optimizer: {result.message}",
    )


def require_converged(result: FitResult) -> FitResult:
    if not result.converged:
        raise ClvFitError(f"{result.model} fit did not converge: {result.message}")
    return result
