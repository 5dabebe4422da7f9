"""`retention-warehouse run`: one run of the Prefect flow (retention_warehouse.orchestration.flow)."""

from __future__ import annotations

import os

from retention_warehouse.landing import require_landing
from retention_warehouse.orchestration import postgres, publish
from retention_warehouse.orchestration.prefect_server import prefect_api
from retention_warehouse.project_vars import check_vars
from retention_warehouse.settings import Settings


def run_flow(settings: Settings, *, dbt_vars: dict | None = None, force: bool = False,
             row_count_tolerance: float | None = None, wait: bool = False) -> dict:
    """Run the flow in this process and return its result; raises when the flow fails.

    Before anything starts: the serving folder must be writable, and if another run holds it
    this says so at once, then waits for it (`wait`) or raises.
    """
    check_vars(dbt_vars)
    require_landing(settings.raw_dir)
    publish.require_writable(settings.serving_dir)
    if target := postgres.PostgresTarget.from_env():
        postgres.require_reachable(target)
    holder = publish.lock_holder(settings.serving_dir)
    if holder and not wait:
        raise publish.ServingError(
            f"{holder} is using serving folder {settings.serving_dir}; run again with --wait to queue behind it"
        )
    if holder:
        print(f"waiting: {holder} is using serving folder {settings.serving_dir}", flush=True)
    # No network here: Prefect's telemetry would only log connection errors.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    settings.export()
    with prefect_api() as api_ready:
        from retention_warehouse.orchestration.flow import build_warehouse  # imports Prefect while a server boots

        options = {} if row_count_tolerance is None else {"row_count_tolerance": row_count_tolerance}
        api_ready()
        return build_warehouse(dbt_vars=dbt_vars, force=force, **options)


def describe(result: dict) -> str:
    """Where the run's outputs are, for the terminal."""
    serving = result["serving_dir"]
    lines = [
        f"{'published' if result['published'] else 'unchanged (no new raw data)'}: version {result['version']}",
        f"served marts: {serving}/marts.duckdb (DuckDB, storage v1.0.0) and {serving}/parquet/<mart>.parquet",
        f"Data Docs:    {result['data_docs']}",
        f"dbt docs:     {result['dbt_docs']}",
    ]
    if result.get("postgres"):
        lines.append(f"PostgreSQL:   {result['postgres']}")
    if result["published"]:
        lines += [
            f"run report:   {result['report']}",
            f"artifact:     Prefect artifact '{result['artifact']}' (prefect artifact inspect {result['artifact']})",
        ]
    return "\n".join(lines)
