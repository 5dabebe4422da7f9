"""`retention-warehouse run`: one run of the Prefect flow defined in flows/build_warehouse.py."""

from __future__ import annotations

import os

from retention_warehouse.settings import PROJECT_DIR, Settings

FLOW_ENTRYPOINT = f"{PROJECT_DIR / 'flows' / 'build_warehouse.py'}:build_warehouse"


def run_flow(settings: Settings, *, dbt_vars: dict | None = None, force: bool = False,
             row_count_tolerance: float | None = None) -> dict:
    """Run the flow in this process and return its result; raises when the flow fails."""
    # No network here: Prefect's telemetry would only log connection errors.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    settings.export()
    from prefect.flows import load_flow_from_entrypoint

    flow = load_flow_from_entrypoint(FLOW_ENTRYPOINT)
    options = {} if row_count_tolerance is None else {"row_count_tolerance": row_count_tolerance}
    return flow(dbt_vars=dbt_vars, force=force, **options)


def describe(result: dict) -> str:
    """Where the run's outputs are, for the terminal."""
    serving = result["serving_dir"]
    lines = [
        f"{'published' if result['published'] else 'unchanged (no new raw data)'}: version {result['version']}",
        f"served marts: {serving}/marts.duckdb (DuckDB, storage v1.0.0) and {serving}/parquet/<mart>.parquet",
        f"Data Docs:    {result['data_docs']}",
    ]
    if result["published"]:
        lines += [
            f"run report:   {result['report']}",
            f"artifact:     Prefect artifact '{result['artifact']}' (prefect artifact inspect {result['artifact']})",
        ]
    return "\n".join(lines)
