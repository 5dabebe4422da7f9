"""Too little history to learn churn from: one year of orders and a 200-day horizon leave no
closed snapshot, so the build falls back to BG/NBD's P(no purchase in the horizon), says so in the
fit mart, and still segments every customer. The probabilities are recomputed here from the CLV
marts' P(alive) and parameters with the formula in docs/churn.md."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pytest
from conftest import isolated_settings, run_cli

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

HORIZON_DAYS = 200


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    settings = isolated_settings(tmp_path_factory.mktemp("churn_fallback"))
    run_cli(settings, "generate", "--orders", "3000", "--years", "1", "--start-date", "2025-01-01")
    run_cli(settings, "build", "--vars", json.dumps({"churn_horizon_days": HORIZON_DAYS}))
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        yield connection


def test_the_fit_mart_names_the_fallback_and_why(warehouse):
    fit = warehouse.sql("select * from marts.fct_churn_model_fit where is_current").df().iloc[0]
    assert fit.model_name == "bg_nbd_fallback" and fit.closed_snapshots == 0
    assert fit.reason.startswith("0 closed backtest snapshot(s): at least 2 are needed")
    assert warehouse.execute("select count(*) from marts.fct_churn_risk_backtest").fetchall() == [(0,)]
    assert warehouse.execute("select count(*) from marts.fct_churn_model_calibration").fetchall() == [(0,)]


def test_probabilities_are_bgnbd_no_purchase_in_the_horizon(warehouse):
    ((r, alpha, unit_days),) = warehouse.execute(
        "select r, alpha, time_unit_days from marts.fct_clv_model_fit where is_current and model_name = 'bg_nbd'"
    ).fetchall()
    rows = warehouse.sql("""
        select risk.churn_probability, risk.top_churn_features, risk.risk_segment, clv.p_alive, clv.purchase_days,
               datediff('day', risk.first_purchase_date, risk.as_of_date) as age_days
        from marts.fct_customer_churn_risk as risk
        inner join marts.fct_customer_clv as clv using (customer_id)
    """).df()
    age, t = rows.age_days / unit_days, HORIZON_DAYS / unit_days
    none_if_alive = ((alpha + age) / (alpha + age + t)) ** (r + rows.purchase_days - 1)
    np.testing.assert_allclose(rows.churn_probability, 1 - rows.p_alive * (1 - none_if_alive), rtol=1e-9)
    assert rows.top_churn_features.isna().all()
    assert rows.risk_segment.notna().all() and len(rows) == warehouse.execute(
        "select count(*) from marts.fct_customer_churn_risk").fetchall()[0][0]
