"""Debian's headless Chromium as the tests (dashboard, dbt docs site) and the dashboard benchmark drive it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium")
# Without the background-networking flags Chromium tries to reach the internet. The virtual time
# budget lets the page's callbacks finish before the DOM is dumped; console messages go to stderr.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1800",
         "--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0"]


def load(url: str, profile_dir: Path, screenshot: Path | None = None) -> subprocess.CompletedProcess:
    """Opens `url` and returns Chromium's result: the rendered DOM (stdout) and its log (stderr),
    or, with `screenshot`, writes a PNG of the page instead."""
    if CHROMIUM is None:
        raise RuntimeError("chromium is not installed (Debian's chromium package)")
    output = [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", *output, url],
                          capture_output=True, text=True, timeout=180, check=screenshot is not None)


def console_messages(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
