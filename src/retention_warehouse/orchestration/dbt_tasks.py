"""dbt inside the flow: one Prefect task per build half, every dbt node's result in its log.

prefect-dbt's runner makes each dbt node a Prefect task run. That costs 0.1-0.5 s per node
(about 190 nodes: the flow took 4x a plain build at 5k orders), so the flow runs dbt in-process
as `build` does, with one parse for both halves, and forwards dbt's one-line node results (`12 of
228 OK created sql table model marts.dim_customers ... [OK in 0.36s]`) to the Prefect run log:
each node stays visible, at the level dbt gave it (failures as errors).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import duckdb

from retention_warehouse.settings import Settings

LOCK_ERROR = "Could not set lock on file"
NODE_RESULT_EVENTS = frozenset({
    "LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogNodeResult",
    "LogNodeNoOpResult", "LogFunctionResult", "RunResultError",
})
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


def node_result_logger(logger: logging.LoggerAdapter | logging.Logger) -> Callable:
    """A dbt event callback that logs each node's result line (dbt calls it from its threads)."""

    def log(event) -> None:
        if event.info.name in NODE_RESULT_EVENTS:
            logger.log(LEVELS.get(str(event.info.level), logging.INFO), event.info.msg)

    return log


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
