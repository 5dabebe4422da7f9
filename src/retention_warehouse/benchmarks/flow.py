"""`retention-warehouse benchmark-flow`: what the Prefect flow costs on top of a plain build.

On the same landed demo data, `retention-warehouse build` and `retention-warehouse run` (GX on the
raw files, the build, staging, GX on the marts, publication, and the local Prefect server the run
starts) each run from scratch in a child process, back to back, `repeats` times. Printed per pair
and as medians: both wall times, their ratio, and the budget the flow must stay within
(1.3 x the build + 15 s).
"""

from __future__ import annotations

import os
import shutil
import statistics
from pathlib import Path

from retention_warehouse.benchmarks.build import child_env, cli, ensure_data, project_path, time_build
from retention_warehouse.benchmarks.measure import measure

BUDGET_FACTOR, BUDGET_SECONDS = 1.3, 15.0


def time_run(raw_dir: Path, run_dir: Path, prefect_home: Path):
    env = child_env(run_dir / "run-target", run_dir / "run.tmp", "50%")
    env.pop("PREFECT_API_URL", None)  # the run starts its own server, as `make run` does
    env.update({"RW_SERVING_DIR": str(run_dir / "serving"), "PREFECT_HOME": str(prefect_home),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    command = cli("--raw-dir", str(raw_dir), "--warehouse", str(run_dir / "run.duckdb"), "run")
    return measure(command, env, run_dir / "run.tmp", run_dir / "run.log")


def run(orders: int = 5_000, seed: int = 42, work_dir: str | Path = "data/bench/flow", repeats: int = 3) -> bool:
    work_dir = project_path(work_dir)
    raw_dir = work_dir / f"orders-{orders}-seed-{seed}" / "raw"
    ensure_data(raw_dir, orders, seed)
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{orders:,} orders, {repeats} pairs", flush=True)
    pairs = []
    for number in range(1, repeats + 1):
        run_dir = work_dir / f"pair-{number}"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        build = time_build(raw_dir, run_dir / "build.duckdb", run_dir, "build", "50%")
        flow = time_run(raw_dir, run_dir, work_dir / "prefect_home")
        if build.returncode or flow.returncode:
            print(f"pair {number} failed: see {build.log} and {flow.log}")
            return False
        budget = BUDGET_FACTOR * build.seconds + BUDGET_SECONDS
        pairs.append((build.seconds, flow.seconds, budget))
        print(f"pair {number}: build {build.seconds:6.1f} s   run {flow.seconds:6.1f} s   "
              f"run/build {flow.seconds / build.seconds:4.2f}   budget {budget:5.1f} s", flush=True)
    build_s, flow_s, budget = (statistics.median(values) for values in zip(*pairs))
    within = flow_s <= budget
    print(f"median: build {build_s:.1f} s, run {flow_s:.1f} s ({flow_s / build_s:.2f}x, overhead "
          f"{flow_s - build_s:.1f} s); budget 1.3 x build + 15 s = {budget:.1f} s: "
          f"{'within' if within else 'OVER'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return within
