"""The dbt docs site as a served output: one static HTML file that opens offline.

`dbt docs generate --static` inlines the manifest and catalog into `static_index.html`; the
regular `index.html` fetches them and hangs when opened from disk. The file is replaced with one
rename, so a reader never gets half of it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from retention_warehouse.dbt_runner import parse_project, run_dbt
from retention_warehouse.settings import Settings

DOCS_DIR = "dbt_docs"
STATIC_PAGE = "static_index.html"


def site_path(serving_dir: Path) -> Path:
    return serving_dir / DOCS_DIR / "index.html"


def write_dbt_docs(settings: Settings, dbt_vars: dict | None = None) -> Path:
    """Generate the site of the built warehouse into the serving folder. The project is parsed
    afresh (with --no-compile, dbt would otherwise document whatever manifest.json the target
    folder holds), but not compiled: the catalog comes from the built relations."""
    run_dbt(["docs", "generate", "--static", "--no-compile", "--log-level", "warn"], settings, dbt_vars,
            manifest=parse_project(settings, dbt_vars))
    target = site_path(settings.serving_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".index.{os.getpid()}.html")
    shutil.copyfile(settings.target_path / STATIC_PAGE, incoming)
    os.replace(incoming, target)
    return target
