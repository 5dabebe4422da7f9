"""`retention-warehouse benchmark-build`: the full build against a hand-written DuckDB baseline.

For each order count the landed demo data is generated once (and reused after), then the full
project build and the baseline script (baseline.sql) run back to back, `repeats` times, each in
its own child process with the same DuckDB memory limit and its own temp directory. Reported per
size: wall time, the ratio build / baseline, peak RSS, peak DuckDB spill, whether the project's
marts equal the baseline's row for row, the ten slowest dbt nodes and the time of a daily
incremental build after one more day of orders. Everything is also written as a JSON report.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from retention_warehouse.benchmarks.compare import compare_marts
from retention_warehouse.benchmarks.measure import Measurement, measure
from retention_warehouse.landing.contract import PARAMS_FILE
from retention_warehouse.settings import PROJECT_DIR

DEFAULT_ORDERS = (1_000_000, 10_000_000)
SLOWEST_NODES = 10
# dbt leaves the results of the build's first phase (before the CLV fit) beside its own.
RUN_RESULTS = ("run_results_before_fit.json", "run_results.json")


def project_path(value: str | Path) -> Path:
    """Relative paths are taken from the project folder, as for every other setting."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "retention_warehouse.cli", *args]


def child_env(target_dir: Path, temp_dir: Path, memory_limit: str) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_TARGET_PATH": str(target_dir),
        "RW_DUCKDB_TEMP_DIR": str(temp_dir),
        "RW_DUCKDB_MEMORY_LIMIT": memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",  # offline: no tracking calls timing out
        "DO_NOT_TRACK": "1",
    }


def ensure_data(raw_dir: Path, orders: int, seed: int) -> dict:
    """Generates the landing data unless a complete set is already there."""
    if (raw_dir / PARAMS_FILE).exists():  # the generator writes it last: the data is complete
        return {"generated": False}
    print(f"generating {orders:,} orders (seed {seed}) into {raw_dir} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        cli("--raw-dir", str(raw_dir), "generate", "--orders", str(orders), "--seed", str(seed)),
        check=True, stdout=subprocess.DEVNULL,
    )
    return {"generated": True, "seconds": time.perf_counter() - started}


def time_build(raw_dir: Path, warehouse: Path, run_dir: Path, name: str, memory_limit: str) -> Measurement:
    """`retention-warehouse build` in a child process; `name` separates full and incremental."""
    env = child_env(run_dir / "target", run_dir / f"{name}.tmp", memory_limit)
    command = cli("--raw-dir", str(raw_dir), "--warehouse", str(warehouse), "--target", "duckdb", "build")
    return measure(command, env, run_dir / f"{name}.tmp", run_dir / f"{name}.log")


def time_baseline(raw_dir: Path, database: Path, run_dir: Path, memory_limit: str) -> Measurement:
    temp_dir = run_dir / "baseline.tmp"
    command = [
        sys.executable, "-m", "retention_warehouse.benchmarks.baseline", "--raw-dir", str(raw_dir),
        "--database", str(database), "--temp-dir", str(temp_dir), "--memory-limit", memory_limit,
    ]
    return measure(command, dict(os.environ), temp_dir, run_dir / "baseline.log")


def slowest_nodes(target_dir: Path, count: int = SLOWEST_NODES) -> list[dict]:
    """The slowest nodes of both dbt invocations of one build, from their run_results files."""
    nodes = []
    for name in RUN_RESULTS:
        path = target_dir / name
        if path.exists():
            for result in json.loads(path.read_text()).get("results", []):
                nodes.append({"node": result["unique_id"], "seconds": result.get("execution_time") or 0.0,
                              "status": result.get("status"), "file": name})
    return sorted(nodes, key=lambda node: node["seconds"], reverse=True)[:count]


def log_tail(measurement: Measurement, lines: int = 15) -> str:
    return "\n".join(Path(measurement.log).read_text(errors="replace").splitlines()[-lines:])


def append_one_day(landing: Path, seed: int) -> str:
    """Lands one more day of orders in `landing`, in place, as a shop's daily export would."""
    result = subprocess.run(
        cli("--raw-dir", str(landing), "generate", "--append-days", "1", "--seed", str(seed)),
        check=False, capture_output=True, text=True,
    )
    if result.returncode == 0:
        return "ok"
    return f"generate --append-days failed: {result.stderr.strip()[-500:]}"


def incremental_day(landing: Path, warehouse: Path, run_dir: Path, seed: int, memory_limit: str,
                    full_build_seconds: float) -> dict:
    """Times `build` on the full build's warehouse after one more landed day of orders, then
    checks its marts against the baseline on the same landing.

    It shares the full build's target folder, as a daily run in the same checkout would (dbt
    reuses its parse and the incremental state), so the full build's slowest nodes must be read
    before.
    """
    status = append_one_day(landing, seed)
    if status != "ok":
        return {"status": status}
    build = time_build(landing, warehouse, run_dir, "incremental", memory_limit)
    if build.returncode:
        return {"status": f"build failed (exit {build.returncode}), see {build.log}", **asdict(build)}
    baseline_database = run_dir / "hand_written_plus_one_day.duckdb"
    time_baseline(landing, baseline_database, run_dir, memory_limit)
    differences = {mart: rows for mart, rows in compare_marts(warehouse, baseline_database).items() if rows}
    return {"status": "ok" if not differences else "marts differ from the baseline",
            "percent_of_full_build": 100 * build.seconds / full_build_seconds,
            "marts_equal": not differences, "differences": differences, **asdict(build)}


def run_pair(raw_dir: Path, run_dir: Path, seed: int, memory_limit: str, incremental: bool) -> dict:
    """Full build, then baseline, then the comparison (and the incremental day) in `run_dir`."""
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    # The baseline's file is not named baseline.duckdb: a catalog "baseline" would clash with
    # the script's schema of that name.
    warehouse, baseline_database = run_dir / "warehouse.duckdb", run_dir / "hand_written.duckdb"
    if incremental:  # the daily run appends to this landing in place; the reused data stays as is
        landing = run_dir / "raw"
        shutil.copytree(raw_dir, landing)
        raw_dir = landing
    build = time_build(raw_dir, warehouse, run_dir, "build", memory_limit)
    baseline = time_baseline(raw_dir, baseline_database, run_dir, memory_limit)
    pair = {"run_dir": str(run_dir), "build": asdict(build), "baseline": asdict(baseline)}
    failed = [(name, m) for name, m in (("build", build), ("baseline", baseline)) if m.returncode]
    if failed:
        errors = [f"{name} failed (exit {m.returncode}), {m.log}:\n{log_tail(m)}" for name, m in failed]
        return {**pair, "ok": False, "errors": errors}
    differences = {mart: rows for mart, rows in compare_marts(warehouse, baseline_database).items() if rows}
    pair.update(ratio=build.seconds / baseline.seconds, marts_equal=not differences,
                differences=differences, slowest_nodes=slowest_nodes(run_dir / "target"))
    if incremental:
        pair["incremental"] = incremental_day(raw_dir, warehouse, run_dir, seed, memory_limit, build.seconds)
    incremental_ok = pair.get("incremental", {}).get("status", "ok") == "ok"
    pair["ok"] = not differences and incremental_ok
    return pair


def medians(pairs: list[dict]) -> dict:
    """Medians over the pairs whose build and baseline both finished."""
    done = [pair for pair in pairs if "ratio" in pair]
    values = {
        "build_seconds": [p["build"]["seconds"] for p in done],
        "baseline_seconds": [p["baseline"]["seconds"] for p in done],
        "ratio": [p["ratio"] for p in done],
        "build_peak_rss_gib": [p["build"]["peak_rss_gib"] for p in done],
        "baseline_peak_rss_gib": [p["baseline"]["peak_rss_gib"] for p in done],
        "build_peak_spill_gib": [p["build"]["peak_spill_gib"] for p in done],
        "baseline_peak_spill_gib": [p["baseline"]["peak_spill_gib"] for p in done],
        "incremental_seconds": [p["incremental"]["seconds"] for p in done
                                if p.get("incremental", {}).get("status") == "ok"],
        "incremental_percent_of_full_build": [p["incremental"]["percent_of_full_build"] for p in done
                                              if p.get("incremental", {}).get("status") == "ok"],
    }
    return {name: statistics.median(v) if v else None for name, v in values.items()}


def benchmark_size(orders: int, seed: int, data_dir: Path, repeats: int, memory_limit: str,
                   incremental: bool) -> dict:
    size_dir = data_dir / f"orders-{orders}-seed-{seed}"
    raw_dir = size_dir / "raw"
    data = ensure_data(raw_dir, orders, seed)
    pairs = []
    for number in range(1, repeats + 1):
        print(f"{orders:,} orders: pair {number}/{repeats} (full build, then baseline) ...", flush=True)
        pairs.append(run_pair(raw_dir, size_dir / "runs" / f"pair-{number}", seed, memory_limit, incremental))
    return {"orders": orders, "seed": seed, "raw_dir": str(raw_dir), "data": data, "pairs": pairs,
            "median": medians(pairs), "ok": all(pair["ok"] for pair in pairs)}


def _incremental_line(pairs: list[dict], median: dict) -> str:
    statuses = {pair["incremental"]["status"] for pair in pairs if "incremental" in pair}
    if median["incremental_seconds"] is not None:
        return (f"{median['incremental_seconds']:.1f} s = "
                f"{median['incremental_percent_of_full_build']:.0f} % of the full build; "
                f"marts equal the baseline on the appended landing: {'; '.join(sorted(statuses))}")
    return "; ".join(sorted(statuses)) or "skipped"


def _print_marts(pairs: list[dict]) -> None:
    for number, pair in enumerate(pairs, 1):
        for error in pair.get("errors", []):
            print(f"  pair {number}: {error}")
        for mart, rows in pair.get("differences", {}).items():
            print(f"  pair {number}: {mart} differs from the baseline:")
            for row in rows:
                print(f"      {row}")
    compared = [pair["marts_equal"] for pair in pairs if "marts_equal" in pair]
    verdict = ("yes" if all(compared) else "NO") if compared else "not compared (a run failed)"
    print(f"  marts equal the baseline row for row: {verdict}")


def print_size(result: dict) -> None:
    median, pairs = result["median"], result["pairs"]
    origin = "generated" if result["data"]["generated"] else "reused"
    print(f"\n== {result['orders']:,} orders, seed {result['seed']} ({origin}: {result['raw_dir']}),"
          f" {len(pairs)} pair(s), medians")
    if median["ratio"] is not None:
        print(f"  {'':16}{'wall s':>9}{'peak RSS GiB':>14}{'spill GiB':>11}")
        for name in ("build", "baseline"):
            print(f"  {'full build' if name == 'build' else 'baseline':16}{median[name + '_seconds']:>9.2f}"
                  f"{median[name + '_peak_rss_gib']:>14.2f}{median[name + '_peak_spill_gib']:>11.2f}")
        per_pair = ", ".join(f"{pair['ratio']:.1f}" for pair in pairs if "ratio" in pair)
        print(f"  ratio full build / baseline: {median['ratio']:.1f}x (per pair: {per_pair})")
        print(f"  incremental day: {_incremental_line(pairs, median)}")
    _print_marts(pairs)
    nodes = next((pair["slowest_nodes"] for pair in pairs if pair.get("slowest_nodes")), [])
    if nodes:
        print(f"  {len(nodes)} slowest dbt nodes (first pair):")
        for node in nodes:
            name = node["node"].replace(".retention_warehouse.", " ", 1)
            print(f"    {node['seconds']:7.2f} s  {name}  ({node['file']})")


def run(orders: list[int], seed: int = 42, data_dir: str | Path = "data/bench", repeats: int = 1,
        report: str | Path = "data/bench/report.json", skip_incremental: bool = False,
        memory_limit: str = "50%") -> bool:
    """Benchmarks every size, prints the results, writes the JSON report; True when all passed."""
    data_dir, report_path = project_path(data_dir), project_path(report)
    machine = {"cpu_count": os.cpu_count(), "loadavg_before": os.getloadavg(), "memory_limit": memory_limit}
    print(f"machine: {machine['cpu_count']} cpus, load average before "
          f"{' '.join(f'{x:.2f}' for x in machine['loadavg_before'])}; DuckDB memory limit {memory_limit}")
    started = datetime.now(UTC)
    sizes = []
    for count in orders:
        sizes.append(benchmark_size(count, seed, data_dir, repeats, memory_limit, not skip_incremental))
        print_size(sizes[-1])
    machine["loadavg_after"] = os.getloadavg()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in machine['loadavg_after'])}")
    ok = all(size["ok"] for size in sizes)
    result = {"started_at": started.isoformat(timespec="seconds"), "ok": ok, "machine": machine,
              "repeats": repeats, "sizes": sizes}
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"report: {report_path} ({'passed' if ok else 'FAILED'})")
    return ok
