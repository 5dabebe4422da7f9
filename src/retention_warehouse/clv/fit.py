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
# mean over customers, so the thresholds do not depend on the number of customers.
GRADIENT_TOLERANCE = 1e-6
# Smallest accepted curvature (eigenvalue of the Hessian of the mean negative log-likelihood in
# log parameters). A flat direction means the data do not identify some parameter: e.g. with no
# repeat buyer, BG/NBD's a and b drop out of the likelihood and any value is "optimal".
# (CDNOW's smallest eigenvalue is 3e-3.)
CURVATURE_TOLERANCE = 1e-7


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

    likelihood = module.Likelihood(*data, weights)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        value, gradient = likelihood(params)
        # Mean over customers; chain rule to log parameters: d/du = theta * d/dtheta.
        return -value / customers, -gradient / customers * params

    start = np.zeros(len(module.PARAMETERS))  # all parameters 1, as in lifetimes
    with np.errstate(all="ignore"):  # overflow while exploring is rejected by the line search
        result = minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
        value, gradient = objective(result.x)
        curvature = _smallest_curvature(objective, result.x)
    largest = float(np.max(np.abs(gradient)))
    if not (np.isfinite(value) and np.all(np.isfinite(result.x))):
        converged, reason = False, "log-likelihood or parameters not finite"
    elif largest > GRADIENT_TOLERANCE:
        converged, reason = False, f"largest gradient {largest:.3g} > {GRADIENT_TOLERANCE:g}"
    elif not curvature > CURVATURE_TOLERANCE:
        converged, reason = False, (
            f"likelihood flat at the optimum (smallest curvature {curvature:.3g} <= {CURVATURE_TOLERANCE:g}): "
            "the data do not identify every parameter"
        )
    else:
        converged, reason = True, "gradient below tolerance, likelihood curved in every direction"
    return FitResult(
        model=model,
        params=dict(zip(module.PARAMETERS, np.exp(result.x).tolist())),
        log_likelihood=-value * customers,
        n_customers=round(customers),
        n_groups=len(weights),
        converged=converged,
        iterations=int(result.nit),
        message=f"{reason}; optimizer: {result.message}",
    )


def _smallest_curvature(objective, log_params: np.ndarray, step: float = 1e-5) -> float:
    """Smallest eigenvalue of the Hessian of `objective`, by central differences of its gradient."""
    size = len(log_params)
    hessian = np.empty((size, size))
    for i in range(size):
        shift = np.zeros(size)
        shift[i] = step
        hessian[:, i] = (objective(log_params + shift)[1] - objective(log_params - shift)[1]) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    return float(np.linalg.eigvalsh(hessian)[0]) if np.all(np.isfinite(hessian)) else float("nan")


def require_converged(result: FitResult) -> FitResult:
    if not result.converged:
        raise ClvFitError(f"{result.model} fit did not converge: {result.message}")
    return result
