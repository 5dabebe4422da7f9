"""The BG/NBD fit of the demo build recovers the generator's true parameters.

Tolerance: each parameter within 3 standard errors of the truth. The standard errors are
lifetimes' (an independent implementation: autograd Hessian of its own likelihood) on the same
RFM summary, so they measure how precisely this sample (about 5,700 customers) can pin each
parameter down: 3 SE is a 99.7 % interval per parameter if the data were exact BG/NBD. The
generator is exact BG/NBD in a seasonal clock that moves purchases by at most about one week
(generate/timeutil.py) and adds a few experiment-driven orders; both are small next to 3 SE
(the relative standard errors here are about 3 % for r and alpha, 8-11 % for a and b).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from lifetimes import BetaGeoFitter

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

TOLERANCE_STANDARD_ERRORS = 3.0


def test_demo_fit_recovers_generator_parameters(demo_warehouse, warehouse_connection):
    truth = json.loads((demo_warehouse.raw_dir / "_generator_params.json").read_text())["bgnbd"]
    fit = warehouse_connection.sql(
        "select * from marts.fct_clv_model_fit where is_current and model_name = 'bg_nbd'"
    ).df().iloc[0]
    assert fit.converged and fit.time_unit == truth["time_unit"] == "week"
    rfm = warehouse_connection.sql("select frequency, recency, customer_age from intermediate.int_clv__rfm_summary").df()
    standard_errors = BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["customer_age"]).summary["se(coef)"]
    for name in ("r", "alpha", "a", "b"):
        distance = abs(fit[name] - truth[name]) / standard_errors[name]
        assert distance <= TOLERANCE_STANDARD_ERRORS, (
            f"{name}: fitted {fit[name]:.4f}, true {truth[name]}, {distance:.1f} standard errors away"
        )
    assert np.all(standard_errors / fit[["r", "alpha", "a", "b"]].astype(float).to_numpy() < 0.15)  # informative
