"""dbt through prefect-dbt, so each dbt node (model, seed, test) shows as a Prefect task run."""

from __future__ import annotations

import threading

import duckdb

from retention_warehouse.dbt_runner import DbtFailure, DbtOutcome, dbt_args
from retention_warehouse.settings import PROFILES_DIR, PROJECT_DIR, Settings

LOCK_ERROR = "Could not set lock on file"


def run_dbt_as_tasks(command: list[str], settings: Settings, dbt_vars: dict | None = None) -> DbtOutcome:
    """Drop-in for dbt_runner.run_dbt (same signature) that runs dbt with PrefectDbtRunner."""
    from dbt_common.events.base_types import EventLevel
    from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

    settings.export()
    runner = PrefectDbtRunner(
        settings=PrefectDbtSettings(
            project_dir=PROJECT_DIR, profiles_dir=PROFILES_DIR, target_path=settings.target_path,
            # Shipping every INFO line of every node to the Prefect API tripled the build time
            # (59 s vs 22 s for 190 nodes); node states still show in Prefect, warnings and
            # errors are still logged there, and target/dbt.log keeps the INFO lines.
            log_level=EventLevel.WARN,
        ),
        raise_on_failure=True,
    )
    before = set(threading.enumerate())
    try:
        result = runner.invoke(dbt_args(command, settings, dbt_vars), log_level_file="info")
    except ValueError as error:  # prefect-dbt's failure: names each failed node and its message
        raise DbtFailure(str(error)) from error
    finally:
        _join_node_task_threads(before)
    nodes = getattr(result.result, "results", None) or []
    return DbtOutcome(succeeded=[node.node.unique_id for node in nodes], failed=[])


def _join_node_task_threads(before: set[threading.Thread]) -> None:
    """Wait for the node task runs that prefect-dbt started during invoke().

    prefect-dbt runs each node's task in a daemon thread that reports its final state to the API
    after dbt has moved on, and invoke() returns without joining them. Unjoined, they finished
    during later steps and, at interpreter exit, were killed inside C code ("FATAL: exception
    not rethrown", SIGABRT).
    """
    for thread in set(threading.enumerate()) - before:
        if thread.name.endswith("(run_task)"):
            thread.join()


def require_write_access(settings: Settings) -> None:
    """Fail fast (with DuckDB's lock error) while another process holds the build database.

    Inside this process a cached dbt-duckdb connection makes this a no-op, which is right: the
    lock is ours.
    """
    if settings.target == "duckdb":
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        duckdb.connect(str(settings.warehouse_path)).close()


def is_lock_error(error: BaseException | None) -> bool:
    return error is not None and LOCK_ERROR in str(error)
