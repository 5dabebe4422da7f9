"""Page load times of the dashboard over a published version, in headless Chromium.

Each page is opened `repeats` times, alternating with a baseline: the same browser opening the
dashboard's stylesheet (browser start-up and one request to the same server, no page work). The
page's own time is the difference of the medians.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from retention_warehouse import browser
from retention_warehouse.dashboard.app import running_dashboard
from retention_warehouse.dashboard.pages import PAGES


def _timed_load(url: str, profile: Path) -> float:
    started = time.perf_counter()
    result = browser.load(url, profile)
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or browser.console_messages(result):
        raise RuntimeError(f"{url} failed: {browser.console_messages(result) or result.stderr[-2000:]}")
    return elapsed


def run(serving_dir: Path, repeats: int = 3) -> dict[str, float]:
    """Prints and returns each page's median load time minus the baseline's, in seconds."""
    print(f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"serving {serving_dir}, {repeats} loads per page")
    page_times = {}
    with running_dashboard(serving_dir) as url, tempfile.TemporaryDirectory(prefix="rw-bench-browser-") as profile:
        _timed_load(url + "/", Path(profile))  # warms the browser profile and the served file's cache
        for path, (title, _) in PAGES.items():
            pairs = [(_timed_load(url + path, Path(profile)), _timed_load(url + "/assets/style.css", Path(profile)))
                     for _ in range(repeats)]
            page, baseline = (statistics.median(values) for values in zip(*pairs))
            page_times[title] = page - baseline
            print(f"{title:<16} page {page:5.2f} s  baseline {baseline:5.2f} s  page work {page - baseline:5.2f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return page_times
