"""Runs dbt in-process against this project with the current settings."""

from __future__ import annotations

import json
from dataclasses import dataclass

from retention_warehouse.project_vars import check_vars
from retention_warehouse.settings import PROFILES_DIR, PROJECT_DIR, Settings


class DbtFailure(RuntimeError):
    """A dbt command failed; the message names the failed nodes."""


@dataclass(frozen=True)
class DbtOutcome:
    succeeded: list[str]
    failed: list[str]


def dbt_args(command: list[str], settings: Settings, dbt_vars: dict | None = None) -> list[str]:
    check_vars(dbt_vars)
    args = [
        *command,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROFILES_DIR),
        "--target-path", str(settings.target_path),
        "--target", settings.target,
    ]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    return args


def parse_project(settings: Settings, dbt_vars: dict | None = None):
    """The project's manifest, for several invocations that should not each parse again."""
    from dbt.cli.main import dbtRunner  # slow import: only when dbt actually runs

    settings.export()
    result = dbtRunner().invoke(dbt_args(["parse"], settings, dbt_vars))
    if not result.success:
        raise DbtFailure(f"dbt parse failed: {result.exception or 'see dbt log'}")
    return result.result


def run_dbt(command: list[str], settings: Settings, dbt_vars: dict | None = None,
            manifest=None, callbacks: list | None = None) -> DbtOutcome:
    """Invoke dbt and raise DbtFailure naming every failed node or test.

    `manifest` (from parse_project, parsed with the same vars) skips dbt's own parse;
    `callbacks` receive every dbt event.
    """
    from dbt.cli.main import dbtRunner  # slow import: only when dbt actually runs

    settings.export()
    result = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(dbt_args(command, settings, dbt_vars))
    succeeded, failed = [], []
    for node_result in getattr(result.result, "results", None) or []:
        status = str(node_result.status)
        name = node_result.node.unique_id
        (failed if status in {"error", "fail"} else succeeded).append(name)
        if status in {"error", "fail"} and node_result.message:
            failed[-1] = f"{name}: {node_result.message}"
    if not result.success:
        detail = "; ".join(failed) or str(result.exception or "see dbt log")
        raise DbtFailure(f"dbt {' '.join(command)} failed: {detail}")
    return DbtOutcome(succeeded=succeeded, failed=failed)
