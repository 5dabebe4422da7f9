"""Great Expectations checks at the two boundaries: landed raw files and the marts to publish.

The committed project in gx/ holds one suite per table (`raw.<table>`, `marts.<mart>`) and, for
each, a validation definition and a checkpoint of the same name on a pandas data frame asset.
Marts without a suite of their own run the `marts.default` checkpoint (row counts only), so a
new mart is checked from its first build, and a suite for a mart that does not exist yet is
simply not run. Run `python -m retention_warehouse.orchestration.quality` after adding a suite
file to create its validation definition and checkpoint, and commit what it writes.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from retention_warehouse.settings import PROJECT_DIR

GX_DIR = PROJECT_DIR / "gx"
DATASOURCE = "retention_warehouse"
BATCH_DEFINITION = "whole"
RAW_PREFIX = "raw."
MARTS_PREFIX = "marts."
DEFAULT_MART_CHECKPOINT = "marts.default"
# A mart's row count may move this fraction away from the previous published run ...
DEFAULT_ROW_COUNT_TOLERANCE = 0.5
# ... or this many rows, so small marts (audit, period marts) may grow by a handful of rows.
ROW_COUNT_SLACK = 10


class ChecksFailed(RuntimeError):
    """Expectations failed; the message names every failed check."""


@dataclass(frozen=True)
class CheckResult:
    checkpoint: str
    table: str
    success: bool
    evaluated: int
    failures: list[str] = field(default_factory=list)
    # Validation result and suite identifiers, for an incremental Data Docs build.
    resource_identifiers: list = field(default_factory=list)


def quality_dirs(serving_dir: Path) -> dict[str, Path]:
    """Where validation results and Data Docs of a serving folder live."""
    return {
        "RW_GX_RESULTS_DIR": serving_dir / "quality" / "validations",
        "RW_GX_DOCS_DIR": serving_dir / "quality" / "data_docs",
    }


def open_context(serving_dir: Path):
    """The committed GX project, writing results and Data Docs under `serving_dir`."""
    os.environ.update({name: str(path) for name, path in quality_dirs(serving_dir).items()})
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # slow import (3-5 s): only when validating

    return gx.get_context(mode="file", project_root_dir=str(PROJECT_DIR))


def checkpoint_names(context) -> set[str]:
    return {checkpoint.name for checkpoint in context.checkpoints.all()}


def row_count_bounds(previous: int | None, tolerance: float) -> dict[str, int | None]:
    """Suite parameters min_rows/max_rows around the previous published row count."""
    if previous is None:
        return {"min_rows": 0, "max_rows": None}
    return {
        "min_rows": max(0, min(math.floor(previous * (1 - tolerance)), previous - ROW_COUNT_SLACK)),
        "max_rows": max(math.ceil(previous * (1 + tolerance)), previous + ROW_COUNT_SLACK),
    }


def _describe(result) -> str:
    config = result.expectation_config
    column = config.kwargs.get("column")
    target = f"{config.type}({column})" if column else config.type
    if result.exception_info and result.exception_info.get("raised_exception"):
        return f"{target} raised {result.exception_info.get('exception_message')}"
    details = result.result or {}
    if "unexpected_count" in details:
        sample = details.get("partial_unexpected_list", [])[:3]
        return f"{target}: {details['unexpected_count']} unexpected values, e.g. {sample}"
    return f"{target}: observed {details.get('observed_value')!r}"


def run_checkpoint(context, name: str, table: str, frame: pd.DataFrame,
                   parameters: dict | None = None, run_name: str | None = None) -> CheckResult:
    """Run one checkpoint on a data frame; failed and erroring expectations become failures."""
    from great_expectations.core.run_identifier import RunIdentifier

    checkpoint = context.checkpoints.get(name)
    outcome = checkpoint.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters or {},
        run_id=RunIdentifier(run_name=run_name or table),
    )
    results = [r for validation in outcome.run_results.values() for r in validation.results]
    failures = [f"{table}: {_describe(r)}" for r in results if not r.success]
    # An empty result list would be a silent pass: GX's SQL datasource on DuckDB fails this way.
    if not results:
        failures.append(f"{table}: checkpoint {name} evaluated no expectation")
    identifiers = [*outcome.run_results, *(key.expectation_suite_identifier for key in outcome.run_results)]
    return CheckResult(name, table, outcome.success and not failures, len(results), failures, identifiers)



def raise_for_failures(results: list[CheckResult]) -> None:
    failures = [failure for result in results for failure in result.failures]
    if failures:
        raise ChecksFailed(f"{len(failures)} expectation(s) failed: " + "; ".join(failures))


def wire_suites(context) -> list[str]:
    """Create the data frame asset, validation definition and checkpoint of every suite lacking
    them (named like the suite); returns the names created."""
    import great_expectations as gx

    datasource = context.data_sources.get(DATASOURCE)
    existing = checkpoint_names(context)
    created = []
    for suite in context.suites.all():
        if suite.name in existing:
            continue
        asset_names = {asset.name for asset in datasource.assets}
        asset = (datasource.get_asset(suite.name) if suite.name in asset_names
                 else datasource.add_dataframe_asset(suite.name))
        batch = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)
        )
        context.checkpoints.add(
            gx.Checkpoint(name=suite.name, validation_definitions=[definition], actions=[],
                          result_format={"result_format": "SUMMARY"})
        )
        created.append(suite.name)
    return created


if __name__ == "__main__":
    import tempfile

    print("\n".join(wire_suites(open_context(Path(tempfile.mkdtemp())))) or "nothing to wire")
