"""Prefect flow `build_warehouse`: write (dbt build + CLV fit), audit (dbt tests + GX), publish.

    retention-warehouse run            one run now (starts a temporary Prefect server if
                                       PREFECT_API_URL is not set)
    python flows/build_warehouse.py    serve the `daily` deployment on its cron schedule
                                       (`serve_daily`)

Steps: check the landed raw files with GX; dbt build with the CLV fit between its two halves (one
task; each dbt node's result line goes to the run log); copy the marts into a staged, not yet visible serving
version; check that copy with GX; with RW_PG_DSN set, load it into a PostgreSQL schema of its own
and audit it there; swap it in atomically (files, then PostgreSQL); publish a summary artifact. A failed
check raises, so the flow ends Failed, naming the check, and the served marts stay as they were.
Paths come from the environment (RW_RAW_DIR, RW_WAREHOUSE_PATH, RW_SERVING_DIR, DBT_TARGET_PATH).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run as current_flow_run
from prefect.tasks import exponential_backoff

from retention_warehouse.build import build_models
from retention_warehouse.landing import require_landing
from retention_warehouse.orchestration import (
    data_docs,
    dbt_docs,
    landed_files,
    marts,
    postgres,
    publish,
    quality,
    summary,
)
from retention_warehouse.orchestration.dbt_tasks import is_lock_error, node_result_logger, require_write_access
from retention_warehouse.settings import Settings

ARTIFACT_KEY = "build-warehouse-summary"
DEFAULT_CRON = "0 6 * * *"  # daily at 06:00 UTC; RW_SCHEDULE_CRON overrides it
# Another process holding the build database: retry after 10, 20, 40, 80 s (RW_LOCK_RETRY_SECONDS).
LOCK_RETRIES = 4
LOCK_RETRY_SECONDS = float(os.environ.get("RW_LOCK_RETRY_SECONDS", "10"))
# A task running longer is stopped and the run fails (a 100M-order build takes about 35 min).
TASK_TIMEOUT_SECONDS = float(os.environ.get("RW_TASK_TIMEOUT_SECONDS", str(6 * 3600)))
FAILURES_DIR = "failures"


def _retry_on_lock(task, task_run, state) -> bool:
    return is_lock_error(state.result(raise_on_failure=False))


@task(cache_policy=NO_CACHE, timeout_seconds=TASK_TIMEOUT_SECONDS)
def check_landing(settings: Settings) -> landed_files.Landing:
    """GX at the boundary: every raw table has the contract's columns, types and key ranges."""
    require_landing(settings.raw_dir)
    landed = landed_files.scan_landing(settings.raw_dir)
    context = quality.open_context(settings.serving_dir)
    results = []
    try:
        for name in sorted(quality.checkpoint_names(context)):
            if not name.startswith(quality.RAW_PREFIX):
                continue
            table = name.removeprefix(quality.RAW_PREFIX)
            if table not in landed.tables:
                results.append(quality.CheckResult(name, table, False, 0, [f"raw table {table} is missing"]))
                continue
            frame = landed_files.read_table(landed.tables[table])
            results.append(quality.run_checkpoint(context, name, f"raw.{table}", frame))
        quality.raise_for_failures(results)
    finally:
        data_docs.build_data_docs(context, settings.serving_dir, results)
    return landed


@task(cache_policy=NO_CACHE, timeout_seconds=TASK_TIMEOUT_SECONDS, retries=LOCK_RETRIES,
      retry_delay_seconds=exponential_backoff(backoff_factor=LOCK_RETRY_SECONDS),
      retry_condition_fn=_retry_on_lock)
def build(settings: Settings, dbt_vars: dict | None) -> dict:
    """dbt build (models, seeds, data tests) with the CLV and churn fits; fails on any failed test."""
    require_write_access(settings)
    return build_models(settings, dbt_vars, on_event=node_result_logger(get_run_logger()))


@task(cache_policy=NO_CACHE, timeout_seconds=TASK_TIMEOUT_SECONDS)
def stage_marts(settings: Settings, built: list[marts.Mart], metadata: dict) -> publish.StagedVersion:
    with marts.open_marts(settings) as connection:
        return publish.stage(connection, built, settings.serving_dir, metadata)


@task(cache_policy=NO_CACHE, timeout_seconds=TASK_TIMEOUT_SECONDS)
def write_dbt_docs(settings: Settings, dbt_vars: dict | None) -> str:
    """The dbt docs site of the published build, as one offline page in the serving folder."""
    return str(dbt_docs.write_dbt_docs(settings, dbt_vars))


@task(cache_policy=NO_CACHE, timeout_seconds=TASK_TIMEOUT_SECONDS)
def load_postgres(target: postgres.PostgresTarget, staged: publish.StagedVersion) -> str:
    """COPY the staged version into its own PostgreSQL schema, audited and granted, not yet served."""
    return postgres.load_version(target, staged.path / publish.DUCKDB_FILE, staged.version, staged.row_counts)


@task(cache_policy=NO_CACHE, timeout_seconds=TASK_TIMEOUT_SECONDS)
def check_marts(settings: Settings, staged: publish.StagedVersion, built: list[marts.Mart],
                previous_counts: dict[str, int], tolerance: float) -> list[quality.CheckResult]:
    """GX on exactly the files to be published; marts without a suite get marts.default."""
    import pandas as pd

    context = quality.open_context(settings.serving_dir)
    available = quality.checkpoint_names(context)
    results = []
    try:
        for mart in built:
            name = f"{quality.MARTS_PREFIX}{mart.name}"
            checkpoint = name if name in available else quality.DEFAULT_MART_CHECKPOINT
            results.append(quality.run_checkpoint(
                context, checkpoint, name, pd.read_parquet(staged.parquet(mart.name)),
                parameters=quality.row_count_bounds(previous_counts.get(mart.name), tolerance),
                run_name=f"{mart.name}@{staged.version}",
            ))
        quality.raise_for_failures(results)
    finally:
        data_docs.build_data_docs(context, settings.serving_dir, results)
    return results


def write_failure_report(flow, flow_run, state) -> None:
    """On failure: failures/<flow run>.md in the serving folder says what failed (the failed
    check, dbt node or step, from the run's final state) and which version is served: unchanged,
    unless this run had already swapped its files in (a later step, such as the PostgreSQL switch
    or the dbt docs, failed)."""
    serving_dir = Settings.from_env().serving_dir
    folder = serving_dir / FAILURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    manifest = publish.current_manifest(serving_dir) or {}
    served = (f"{manifest['version']}, published by this run before the failure (files; PostgreSQL, if used, "
              "may still serve the previous version)" if manifest.get("flow_run_id") == str(flow_run.id)
              else "unchanged")
    (folder / f"{flow_run.name}.md").write_text(
        f"# Run {flow_run.name} failed\n\n- flow run id: {flow_run.id}\n- at: {at}\n"
        f"- served version: {served}\n\n## What failed\n\n{state.message}\n"
    )


@flow(name="build_warehouse", log_prints=True, on_failure=[write_failure_report])
def build_warehouse(dbt_vars: dict | None = None, force: bool = False,
                    row_count_tolerance: float = quality.DEFAULT_ROW_COUNT_TOLERANCE) -> dict:
    """Build, validate and publish the warehouse; skipped when no raw file changed (unless force)."""
    settings = Settings.from_env()
    settings.export()
    serving_dir = settings.serving_dir
    docs_index = data_docs.site_dir(serving_dir) / "index.html"
    locations = {"serving_dir": str(serving_dir), "data_docs": str(docs_index),
                 "dbt_docs": str(dbt_docs.site_path(serving_dir))}

    with publish.run_lock(serving_dir):
        return _build_and_publish(settings, dbt_vars, force, row_count_tolerance, locations)


def _build_and_publish(settings: Settings, dbt_vars: dict | None, force: bool, row_count_tolerance: float,
                       locations: dict) -> dict:
    logger = get_run_logger()
    serving_dir = settings.serving_dir
    docs_index = Path(locations["data_docs"])
    landed = check_landing(settings)
    previous = publish.current_manifest(serving_dir) or {}
    if previous.get("raw_fingerprint") == landed.fingerprint and not force:
        logger.info("No raw file changed since version %s: nothing to build.", previous["version"])
        return {"published": False, "version": previous["version"], **locations}

    fitted = build(settings, dbt_vars)
    built = marts.discover_marts(settings)
    metadata = {
        "raw_fingerprint": landed.fingerprint,
        "partitions": landed.partitions,
        "dbt_vars": dbt_vars or {},
        "clv_fit": fitted,
        "as_of_date": fitted["churn"]["analysis_date"].isoformat(),
        "flow_run_id": str(current_flow_run.id),
    }
    postgres_target = postgres.PostgresTarget.from_env()
    previous_counts = previous.get("row_counts", {})
    publish.prune(serving_dir)  # staging leftovers of crashed runs
    staged = stage_marts(settings, built, metadata)
    try:
        results = check_marts(settings, staged, built, previous_counts, row_count_tolerance)
        report = serving_dir / "versions" / staged.version / "summary.md"
        markdown = summary.render(
            version=staged.version, serving_dir=serving_dir, row_counts=staged.row_counts,
            previous_counts=previous_counts, metrics=summary.headline_metrics(staged.path),
            checks=sum(r.evaluated for r in results), checkpoints=len(results),
            new_partitions=landed.new_partitions(previous.get("partitions")),
            data_docs=docs_index, dbt_docs=Path(locations["dbt_docs"]), report=report,
            postgres=f"schema `{postgres_target.schema}`, role `{postgres_target.reader_role}`" if postgres_target else None,
        )
        (staged.path / report.name).write_text(markdown)
        if postgres_target:
            load_postgres(postgres_target, staged)
    except BaseException:
        publish.discard(staged)
        raise
    publish.publish(staged, serving_dir)
    if postgres_target:
        postgres.switch(postgres_target, staged.version)
        logger.info("Serving version %s in PostgreSQL schema %s", staged.version, postgres_target.schema)
    write_dbt_docs(settings, dbt_vars)
    create_markdown_artifact(markdown=markdown, key=ARTIFACT_KEY,
                             description=f"Published warehouse version {staged.version}")
    logger.info("Published version %s to %s", staged.version, serving_dir)
    served_postgres = {"postgres": f"schema {postgres_target.schema}, role {postgres_target.reader_role}"} \
        if postgres_target else {}
    return {"published": True, "version": staged.version, "report": str(report), **served_postgres,
            "artifact": ARTIFACT_KEY, "row_counts": staged.row_counts, **locations}


def serve_daily() -> None:
    """Serve the `daily` deployment: runs start on RW_SCHEDULE_CRON (default 06:00 UTC)."""
    build_warehouse.serve(
        name="daily",
        cron=os.environ.get("RW_SCHEDULE_CRON", DEFAULT_CRON),
        tags=["retention-warehouse"],
        description="Daily build, validation and atomic publication of the retention warehouse.",
    )
