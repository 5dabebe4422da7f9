"""What `build` and `run` say before they start, and what a killed run leaves behind.

Each message is one line on stderr naming the thing to fix; none of these starts dbt.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import isolated_settings

from retention_warehouse.generate import generate
from retention_warehouse.orchestration import publish

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`


def cli(settings, *args: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **settings.environment(), **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "retention_warehouse.cli", *args], env=env,
                          check=False, capture_output=True, text=True, timeout=600)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture()
def landed(tmp_path):
    settings = isolated_settings(tmp_path)
    generate(settings.raw_dir, orders=500, seed=1)
    return settings


@pytest.mark.parametrize("command", ["build", "run"])
def test_no_landed_data_says_what_to_run(tmp_path, command):
    settings = isolated_settings(tmp_path)
    line = one_line_error(cli(settings, command))
    assert line == (
        f"retention-warehouse {command}: no landed data in {settings.raw_dir}: run `retention-warehouse generate` "
        "or `retention-warehouse import-orders FILE` first (or point --raw-dir / RW_RAW_DIR at a landing)"
    )


@pytest.mark.parametrize(("vars_text", "message"), [
    ("{as_of_date: 1}", "--vars is not valid JSON (Expecting property name enclosed in double quotes at character 2)"),
    ('["x"]', "--vars must be a JSON object"),
    ('{"as_of_date": "2024-13-01"}', "var 'as_of_date' must be a date written YYYY-MM-DD, got '2024-13-01'"),
    ('{"min_order_date": "1990-01-01\'; drop table x; --"}', "var 'min_order_date' must be a date written YYYY-MM-DD"),
    ('{"base_currency": "USD\' or \'1\'=\'1"}', "var 'base_currency' must be a currency of seeds/fx_rates.csv"),
    ('{"reporting_timezone": "UTC\'); select 1; --"}', "var 'reporting_timezone' must be an IANA time zone"),
])
@pytest.mark.parametrize("command", ["build", "run"])
def test_bad_vars_stop_before_dbt_with_the_var_named(landed, command, vars_text, message):
    line = one_line_error(cli(landed, command, "--vars", vars_text))
    assert line.startswith(f"retention-warehouse {command}: {message}")
    assert not landed.warehouse_path.exists()


def test_unwritable_serving_folder_is_one_line(landed, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    line = one_line_error(cli(landed, "run", "--serving-dir", str(blocker / "serving")))
    assert line == f"retention-warehouse run: serving folder {blocker / 'serving'} is not writable: Not a directory"


def test_second_run_on_a_serving_folder_says_who_holds_it(landed):
    with publish.run_lock(landed.serving_dir):
        line = one_line_error(cli(landed, "run"))
    assert line.startswith(f"retention-warehouse run: run pid {os.getpid()} (started ")
    assert line.endswith(f"is using serving folder {landed.serving_dir}; run again with --wait to queue behind it")


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                child = int(stat.parent.name)
                found.append((child, (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_a_run_takes_its_prefect_server_with_it(landed, tmp_path):
    env = {**os.environ, **landed.environment(), "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    run = subprocess.Popen([sys.executable, "-m", "retention_warehouse.cli", "run"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    servers = []
    while not servers and time.monotonic() < deadline and run.poll() is None:
        servers = [pid for pid, cmdline in _children(run.pid) if "uvicorn" in cmdline]
        time.sleep(0.2)
    assert servers, "the run started no Prefect server"
    os.kill(run.pid, signal.SIGKILL)  # only the run: its children are not signalled
    run.wait()
    deadline = time.monotonic() + 15
    while _alive(servers[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(servers[0])
