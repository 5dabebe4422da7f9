"""When an incremental build is safe, and when it must rebuild from scratch.

The incremental staging models (base_shop__orders, base_shop__order_items) rebuild the landing
months that hold files they have not seen. That is right only while the landing grows by new
files: a file rewritten in place or removed, or a change of what staging computes from the seeds
and vars (the base currency, the FX rates), leaves rows behind that a full build would not
produce. Each build records the files and inputs it processed in the target folder; the next
build compares and falls back to --full-refresh, saying why.
"""

from __future__ import annotations

import hashlib
import json

from retention_warehouse.settings import PROJECT_DIR, Settings

# The landing tables of the incremental staging models (base_shop__orders, base_shop__order_items).
INCREMENTAL_TABLES = ("orders", "order_items")
STATE_FILE = "incremental_state.json"
# What incremental staging stores that depends on settings rather than on the landed rows.
STAGING_VARS = ("base_currency",)
STAGING_SEEDS = ("fx_rates.csv",)


def current_state(settings: Settings, dbt_vars: dict | None) -> dict:
    files = {
        str(path.relative_to(settings.raw_dir)): [path.stat().st_size, path.stat().st_mtime_ns]
        for table in INCREMENTAL_TABLES
        for path in sorted((settings.raw_dir / table).rglob("*.parquet"))
    }
    inputs = hashlib.sha256(json.dumps({name: (dbt_vars or {}).get(name) for name in STAGING_VARS}).encode())
    for seed in STAGING_SEEDS:
        inputs.update((PROJECT_DIR / "seeds" / seed).read_bytes())
    return {"raw_dir": str(settings.raw_dir), "files": files, "staging_inputs": inputs.hexdigest()}


def full_refresh_reason(settings: Settings, dbt_vars: dict | None) -> str | None:
    """Why the next build must be a full refresh, or None when an incremental one is exact."""
    path = settings.target_path / STATE_FILE
    if not path.exists():
        return None  # first build of this target: dbt builds every table in full anyway
    previous = json.loads(path.read_text())
    current = current_state(settings, dbt_vars)
    if previous["raw_dir"] != current["raw_dir"]:
        return f"the landing folder changed ({previous['raw_dir']} -> {current['raw_dir']})"
    if previous["staging_inputs"] != current["staging_inputs"]:
        return "the base currency or the FX rates changed"
    for name, signature in previous["files"].items():
        if name not in current["files"]:
            return f"landed file {name} was removed"
        if current["files"][name] != signature:
            return f"landed file {name} was rewritten"
    return None


def record_state(settings: Settings, dbt_vars: dict | None) -> None:
    """After a successful build: the files and inputs the warehouse now reflects."""
    settings.target_path.mkdir(parents=True, exist_ok=True)
    (settings.target_path / STATE_FILE).write_text(json.dumps(current_state(settings, dbt_vars)))
