"""Building the models: dbt up to the fits' inputs, the CLV and churn fits, then dbt for the rest.

The fit is a Python step outside dbt (dbt-spark has no Python models outside Databricks), so one
`dbt build` cannot do it all. The project is parsed once and both halves reuse that manifest. The
Prefect flow `build_warehouse` runs this, then validates and publishes the marts.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import partial

from retention_warehouse.churn.step import fit_churn
from retention_warehouse.clv.step import fit_clv
from retention_warehouse.dbt_runner import parse_project, run_dbt
from retention_warehouse.incremental import full_refresh_reason, record_state
from retention_warehouse.landing import require_landing
from retention_warehouse.project_vars import check_vars
from retention_warehouse.settings import Settings

# The relations the fit reads, with everything upstream of them.
FIT_INPUTS = ("+int_clv__calibration +int_clv__sufficient_statistics +int_clv__spend_statistics"
              " +int_churn__model_rows")
# Cautious: a test runs in the build where all its parents are built (a relationships test from
# an upstream model to a later one waits for the second build). Together the two selections
# cover every node of the project exactly once (unit tests aside, below).
BEFORE_FIT = ["--select", FIT_INPUTS, "--indirect-selection", "cautious"]
AFTER_FIT = ["--exclude", FIT_INPUTS, "--indirect-selection", "cautious"]
# Unit tests check the SQL's logic on fixed inputs, so the data cannot make them fail: they run
# in CI (`make test`, `make test-fast`), not in every build, as dbt recommends for production.
DATA_ONLY = ["--exclude-resource-type", "unit_test"]
# dbt overwrites run_results.json on every invocation: the first half's copy keeps its timings.
BEFORE_FIT_RESULTS = "run_results_before_fit.json"


def build_models(settings: Settings, dbt_vars: dict | None = None, full_refresh: bool = False,
                 on_event: Callable | None = None) -> dict:
    """Build everything; returns the fitted CLV parameters. Raises on a dbt or fit failure.

    `on_event` receives every dbt event (the flow logs node results with it).

    Incremental models process only what landed since the last build, unless `full_refresh` or
    the landing changed in a way they cannot follow (retention_warehouse.incremental).
    """
    require_landing(settings.raw_dir)
    check_vars(dbt_vars)
    reason = "requested" if full_refresh else full_refresh_reason(settings, dbt_vars)
    if reason:
        print(f"full refresh: {reason}", flush=True)
    refresh = ["--full-refresh"] if reason else []
    callbacks = [on_event] if on_event else []
    run = partial(run_dbt, manifest=parse_project(settings, dbt_vars), callbacks=callbacks)
    # With on_event the caller shows node results itself: dbt's own lines would repeat them.
    quiet = ["--log-level", "warn"] if on_event else []
    run(["build", *BEFORE_FIT, *DATA_ONLY, *refresh, *quiet], settings, dbt_vars)
    results = settings.target_path / "run_results.json"
    if results.exists():
        shutil.copyfile(results, settings.target_path / BEFORE_FIT_RESULTS)
    fitted = fit_clv(settings)
    fitted["churn"] = fit_churn(settings, fitted)
    run(["build", *AFTER_FIT, *DATA_ONLY, *refresh, *quiet], settings, dbt_vars)
    record_state(settings, dbt_vars)
    return fitted
