"""MetricFlow queries of the semantic layer (models/semantic) against the built warehouse.

`mf` reads the semantic manifest from `<project>/target` only, so a warehouse built with another
target path (DBT_TARGET_PATH, as every test and benchmark uses) is queried through a throwaway
project folder whose `target` links to that path.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from retention_warehouse.settings import PROFILES_DIR, PROJECT_DIR, Settings


def run_mf(settings: Settings, mf_args: list[str]) -> subprocess.CompletedProcess:
    """Runs `mf <mf_args>` on the warehouse of `settings`; raises with mf's output when it fails."""
    mf = Path(sys.executable).with_name("mf")
    # mf runs in the throwaway folder: a relative --csv path would be written there and lost.
    mf_args = [str(Path(arg).resolve()) if previous == "--csv" else arg
               for previous, arg in zip(["", *mf_args[:-1]], mf_args, strict=True)]
    with tempfile.TemporaryDirectory(prefix="rw-mf-") as root:
        (Path(root) / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
        (Path(root) / "target").symlink_to(settings.target_path.resolve(), target_is_directory=True)
        result = subprocess.run(
            [str(mf), *mf_args], check=False, cwd=root, capture_output=True, text=True,
            env={**os.environ, **settings.environment(), "DBT_PROFILES_DIR": str(PROFILES_DIR)},
        )
    # mf exits 0 on some errors; its message starts with ERROR.
    if result.returncode != 0 or "ERROR" in result.stdout:
        raise RuntimeError(f"mf {' '.join(mf_args)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result


def query_metrics(settings: Settings, metrics: list[str], group_by: list[str], where: str | None = None) -> list[dict]:
    """Rows of an `mf query`, as dicts of strings keyed by MetricFlow's column names."""
    with tempfile.TemporaryDirectory(prefix="rw-mf-out-") as out:
        path = Path(out) / "result.csv"
        args = ["query", "--metrics", ",".join(metrics), "--group-by", ",".join(group_by), "--csv", str(path), "--quiet"]
        run_mf(settings, [*args, "--where", where] if where else args)
        with path.open(newline="") as handle:
            return list(csv.DictReader(handle))
