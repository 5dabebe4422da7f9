"""Times demo-data generation and the full warehouse build at a baseline and a target scale.

Prints wall time, peak memory of the child processes and the ratio of target to baseline, so
a regression in scaling shows up as a ratio well above the order-count ratio.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from retention_warehouse.settings import Settings


def _timed_cli(settings: Settings, *args: str) -> tuple[float, float]:
    """Seconds and peak RSS (GiB) of one `retention-warehouse` run in a child process."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "retention_warehouse.cli", *args],
        env={**os.environ, **settings.environment()},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib / 2**20


def measure(orders: int, root: Path) -> dict[str, float]:
    settings = Settings.from_env().with_overrides(
        raw_dir=root / "raw", warehouse_path=root / "warehouse.duckdb", target_path=root / "target",
        target="duckdb",
    )
    generate_s, _ = _timed_cli(settings, "generate", "--orders", str(orders))
    build_s, peak_gib = _timed_cli(settings, "build")
    return {"orders": orders, "generate_s": generate_s, "build_s": build_s, "peak_gib": peak_gib}


def run(baseline_orders: int, target_orders: int) -> list[dict[str, float]]:
    results = []
    for orders in (baseline_orders, target_orders):
        with tempfile.TemporaryDirectory(prefix=f"rw-bench-{orders}-") as root:
            results.append(measure(orders, Path(root)))
    base, target = results
    print(f"{'orders':>12} {'generate s':>11} {'build s':>9} {'peak GiB':>9}")
    for row in results:
        print(f"{row['orders']:>12,} {row['generate_s']:>11.1f} {row['build_s']:>9.1f} {row['peak_gib']:>9.2f}")
    scale = target["orders"] / base["orders"]
    print(f"order ratio {scale:.0f}x: generate {target['generate_s'] / base['generate_s']:.1f}x, "
          f"build {target['build_s'] / base['build_s']:.1f}x (peak memory is the maximum over runs)")
    return results
