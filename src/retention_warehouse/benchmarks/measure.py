"""Wall time, peak RSS and DuckDB spill of one command run in a child process.

Peak RSS comes from resource.getrusage(RUSAGE_CHILDREN) in a small wrapper process started for
this one measurement (the harness's own RUSAGE_CHILDREN would mix all measurements), and, when
psutil is installed, also from polling the whole process tree. Spill is the peak allocated size
of the DuckDB temp directory, sampled while the command runs: DuckDB deletes its spill files
when it no longer needs them, so only sampling sees the peak.

`python -m retention_warehouse.benchmarks.measure RESULT_JSON COMMAND...` is the wrapper.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

try:  # optional: not a dependency of the project
    import psutil
except ImportError:
    psutil = None

SAMPLE_SECONDS = 0.2
GIB = 2**30


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_gib: float
    peak_spill_gib: float
    returncode: int
    log: str


def allocated_bytes(folder: Path) -> int:
    """Disk space used by the files under `folder` (0 when it does not exist)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:  # DuckDB removed it while we walked
                pass
    return total


def _tree_rss(pid: int) -> int:
    if psutil is None:
        return 0
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
        return sum(p.memory_info().rss for p in processes if p.is_running())
    except psutil.Error:
        return 0


class Sampler(threading.Thread):
    """Samples the temp directory size (and the tree's RSS, with psutil) until stopped."""

    def __init__(self, pid: int, temp_dir: Path):
        super().__init__(daemon=True)
        self.pid, self.temp_dir = pid, temp_dir
        self.peak_spill = self.peak_rss = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            self.peak_spill = max(self.peak_spill, allocated_bytes(self.temp_dir))
            if psutil is not None:
                self.peak_rss = max(self.peak_rss, _tree_rss(self.pid))


def measure(command: list[str], env: dict[str, str], temp_dir: Path, log_path: Path) -> Measurement:
    """Runs `command` through the wrapper, output to `log_path`; never raises on failure."""
    result_path = log_path.with_suffix(".rusage.json")
    result_path.unlink(missing_ok=True)  # a stale result would hide a wrapper that died
    wrapped = [sys.executable, "-m", __name__, str(result_path), *command]
    with open(log_path, "w") as log:
        process = subprocess.Popen(wrapped, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler = Sampler(process.pid, temp_dir)
        sampler.start()
        process.wait()
        sampler.stopped.set()
        sampler.join()
    result = json.loads(result_path.read_text()) if result_path.exists() else {}
    peak_rss = max(sampler.peak_rss, result.get("max_rss_kib", 0) * 1024)
    return Measurement(
        seconds=result.get("seconds", float("nan")),
        peak_rss_gib=peak_rss / GIB,
        peak_spill_gib=sampler.peak_spill / GIB,
        returncode=result.get("returncode", process.returncode),
        log=str(log_path),
    )


def main(argv: list[str]) -> int:
    """Wrapper: run the command, then write its seconds, exit code and max RSS as JSON."""
    result_path, command = Path(argv[0]), argv[1:]
    started = time.perf_counter()
    returncode = subprocess.run(command, check=False).returncode
    seconds = time.perf_counter() - started
    max_rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    result_path.write_text(json.dumps(
        {"seconds": seconds, "returncode": returncode, "max_rss_kib": max_rss_kib}
    ))
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
