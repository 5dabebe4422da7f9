"""A local Prefect API for one `retention-warehouse run` when PREFECT_API_URL is not set.

Prefect would start its own temporary server, but gives it 20 s to answer (a loaded 2-core
machine needs more) and leaves it running when the run is killed with SIGKILL. This one is the
same uvicorn app, started with a startup budget of RW_PREFECT_STARTUP_SECONDS (default 180) and
with the kernel's parent-death signal, so it dies with the run whatever the way the run ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Generator
from contextlib import contextmanager
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child between fork and exec: SIGKILL it when the parent process ends."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _drain_prefect_workers() -> None:
    """Send the logs and events Prefect still queues, while their server still answers (after
    it stops, Prefect's workers retry for a minute and print 'Error logging to API')."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=30)


@contextmanager
def prefect_api() -> Generator[Callable[[], str], None, None]:
    """Make PREFECT_API_URL point at a Prefect API for this block and yield `ready()`, which
    returns the URL once the API answers. Without PREFECT_API_URL a server is started for the
    block; the caller can import Prefect and load the flow while it boots."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield lambda: configured
        return
    if "prefect" in sys.modules:  # Prefect reads its settings once, at import
        raise RuntimeError("prefect_api() must run before prefect is imported")
    # Where Prefect's own temporary server runs uvicorn from (prefect.__module_path__.parent).
    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise RuntimeError("prefect is not installed")
    app_dir = Path(spec.origin).parent.parent
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    budget = float(os.environ.get("RW_PREFECT_STARTUP_SECONDS", "180"))
    # The environment Prefect gives its own temporary server (prefect.server.api.server).
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - runs before the server starts any thread
        )
        deadline = time.monotonic() + budget

        def ready() -> str:
            while not _healthy(api_url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(
                        f"the local Prefect server did not answer within {budget:.0f} s "
                        f"(RW_PREFECT_STARTUP_SECONDS): {log.read()[-2000:]}"
                    )
                time.sleep(0.2)
            return api_url

        os.environ["PREFECT_API_URL"] = api_url
        try:
            yield ready
        finally:
            _drain_prefect_workers()
            os.environ.pop("PREFECT_API_URL", None)
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
