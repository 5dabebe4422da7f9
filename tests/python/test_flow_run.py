"""The Prefect flow end to end, against one temporary Prefect server (and PREFECT_HOME) per module.

Flow processes are started as a user would (`retention-warehouse run`), so the SIGKILL test can
kill one during dbt build. The module runs two full builds (under a minute each on 2 cores);
the other runs stop early by design.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import duckdb
import psycopg
import pyarrow.parquet as pq
import pytest
from conftest import isolated_settings

from retention_warehouse.generate import generate
from retention_warehouse.orchestration import quality
from retention_warehouse.orchestration.marts import discover_marts
from retention_warehouse.orchestration.postgres_server import local_server

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

FLOW_ORDERS = 3_000
PREFECT = Path(sys.executable).with_name("prefect")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _api(env: dict, path: str, body: dict):
    request = urllib.request.Request(
        env["PREFECT_API_URL"] + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _latest_flow_run(env: dict) -> dict:
    return _api(env, "/flow_runs/filter", {"sort": "EXPECTED_START_TIME_DESC", "limit": 1})[0]


def _digest(root: Path) -> dict[str, str]:
    """Every served path with its symlink target or content hash (reports, the lock file and
    unpublished staging folders aside: no reader sees them)."""
    entries = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if relative.startswith(("quality", "failures", "versions/.staging-")) or relative == ".lock":
            continue
        if path.is_symlink():
            entries[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            entries[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return entries


def _served_counts(serving: Path) -> dict[str, int]:
    with duckdb.connect(str(serving / "marts.duckdb"), read_only=True) as reader:
        tables = [row[0] for row in reader.execute(
            "select table_name from duckdb_tables() where table_name not like '\\_%' escape '\\'").fetchall()]
        return {t: reader.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory):
    """A Prefect server on a free loopback port with its own PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect_home")
    port = _free_port()
    env = {
        **os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1",
    }
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("w")
    server = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(env["PREFECT_API_URL"] + "/health", timeout=2) as response:
                if response.read() == b"true":
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((home / "server.log").read_text()[-3000:])
            time.sleep(0.5)
    yield env
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def postgres_server():
    with local_server() as server:
        yield server


@pytest.fixture(scope="module")
def flow_env(tmp_path_factory, prefect_env, postgres_server):
    """Runs publish to the files and to a real PostgreSQL server."""
    settings = isolated_settings(tmp_path_factory.mktemp("flow"))
    generate(settings.raw_dir, orders=FLOW_ORDERS, seed=1)
    return settings, {**prefect_env, **settings.environment(), "RW_LOCK_RETRY_SECONDS": "1",
                      "RW_PG_DSN": postgres_server.dsn()}


@pytest.fixture(scope="module")
def served_seed() -> dict:
    """The generator seed of the landing the served version was built from: tests that land
    other data put it back, so each test starts from a landing equal to what is served."""
    return {"seed": 1}


@contextmanager
def unpublished_landing(settings, served_seed: dict):
    """New raw data for the duration of a test whose run must not publish it."""
    generate(settings.raw_dir, orders=FLOW_ORDERS, seed=served_seed["seed"] + 1)
    try:
        yield
    finally:
        generate(settings.raw_dir, orders=FLOW_ORDERS, seed=served_seed["seed"])


def _postgres_served(env: dict) -> tuple[str, dict[str, int]]:
    """The version PostgreSQL serves and its row counts."""
    with psycopg.connect(env["RW_PG_DSN"]) as connection:
        version = connection.execute("select version from marts._build_info").fetchone()[0]
        tables = [row[0] for row in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name not like '\\_%'").fetchall()]
        return version, {t: connection.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in tables}


def _run_flow(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "retention_warehouse.cli", "run", *args],
                          env=env, check=False, capture_output=True, text=True, timeout=900)


def _gx_project_digest() -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(quality.GX_DIR.rglob("*")) if p.is_file() and "uncommitted" not in p.parts}


@pytest.fixture(scope="module")
def first_run(flow_env):
    _settings, env = flow_env
    gx_before = _gx_project_digest()
    started = time.monotonic()
    result = _run_flow(env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result, time.monotonic() - started, gx_before


def test_flow_runs_end_to_end_and_publishes(flow_env, first_run):
    settings, env = flow_env
    result, _, gx_before = first_run
    serving = settings.serving_dir
    assert "published: version" in result.stdout
    for printed in (serving / "marts.duckdb", serving / "quality" / "data_docs" / "index.html"):
        assert str(printed) in result.stdout and printed.exists()

    manifest = json.loads((serving / "current" / "manifest.json").read_text())
    marts = {mart.name for mart in discover_marts(settings)}
    assert set(manifest["row_counts"]) == marts >= {"dim_customers", "fct_retention_rate", "fct_customer_clv"}
    served = _served_counts(serving)
    assert served == manifest["row_counts"]
    for mart, rows in served.items():
        assert pq.read_metadata(serving / "parquet" / f"{mart}.parquet").num_rows == rows
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as build:
        assert served["dim_customers"] == build.execute("select count(*) from marts.dim_customers").fetchone()[0]

    flow_run = _latest_flow_run(env)
    assert flow_run["state_type"] == "COMPLETED"
    task_runs = _api(env, "/task_runs/filter", {"flow_runs": {"id": {"any_": [flow_run["id"]]}}, "limit": 200})
    assert {run["name"].rsplit("-", 1)[0] for run in task_runs} == {"check_landing", "build", "stage_marts",
                                                                    "check_marts", "load_postgres",
                                                                    "write_dbt_docs"}
    assert (serving / "dbt_docs" / "index.html").stat().st_size > 100_000
    assert _postgres_served(env) == (manifest["version"], served)
    assert "PostgreSQL:   schema marts, role bi_reader" in result.stdout
    logs = [entry["message"] for entry in _api(env, "/logs/filter", {
        "logs": {"flow_run_id": {"any_": [flow_run["id"]]}}, "limit": 200, "offset": 0})]
    offset = 200
    while len(logs) == offset:  # the API pages its answers
        logs += [entry["message"] for entry in _api(env, "/logs/filter", {
            "logs": {"flow_run_id": {"any_": [flow_run["id"]]}}, "limit": 200, "offset": offset})]
        offset += 200
    for node in ("OK created sql table model marts.dim_customers", "PASS unique_dim_customers_customer_id"):
        assert any(node in message for message in logs), node
    artifact = _api(env, "/artifacts/filter", {"artifacts": {"key": {"any_": ["build-warehouse-summary"]}}})[0]
    assert f"| dim_customers | {served['dim_customers']:,} |" in artifact["data"]
    assert "data_docs/index.html" in artifact["data"]
    assert _gx_project_digest() == gx_before  # the committed GX project is never written by a run


def test_rerun_without_new_raw_data_publishes_nothing(flow_env, first_run):
    settings, env = flow_env
    before = _digest(settings.serving_dir)
    result = _run_flow(env)
    assert result.returncode == 0 and "unchanged (no new raw data)" in result.stdout
    assert _digest(settings.serving_dir) == before


def test_failing_expectation_publishes_nothing(flow_env, first_run):
    settings, env = flow_env
    before = _digest(settings.serving_dir)
    postgres_before = _postgres_served(env)
    bad = settings.raw_dir / "orders" / "order_month=2024-13"  # a mis-named export partition
    bad.mkdir()
    shutil.copy(next((settings.raw_dir / "orders").glob("order_month=2024-01/*.parquet")), bad / "part-0.parquet")
    try:
        result = _run_flow(env)
    finally:
        shutil.rmtree(bad)
    assert result.returncode == 1
    assert "raw.orders: expect_column_values_to_match_regex(order_month)" in result.stderr
    flow_run = _latest_flow_run(env)
    assert flow_run["state_type"] == "FAILED"
    report = (settings.serving_dir / "failures" / f"{flow_run['name']}.md").read_text()
    assert "served version: unchanged" in report
    assert "raw.orders: expect_column_values_to_match_regex(order_month)" in report
    assert "expect_column_values_to_match_regex(order_month)" in flow_run["state"]["message"]
    assert _postgres_served(env) == postgres_before
    assert _digest(settings.serving_dir) == before


def test_sigkill_during_dbt_build_leaves_served_marts_intact(flow_env, first_run, served_seed):
    settings, env = flow_env
    serving = settings.serving_dir
    before, counts = _digest(serving), _served_counts(serving)
    with unpublished_landing(settings, served_seed), (settings.raw_dir.parent / "killed.log").open("w+") as log:
        flow = subprocess.Popen([sys.executable, "-m", "retention_warehouse.cli", "run"], env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 300
        while "OK created sql table model " not in Path(log.name).read_text():  # dbt nodes are completing
            assert flow.poll() is None and time.monotonic() < deadline, Path(log.name).read_text()[-3000:]
            time.sleep(0.2)
        os.killpg(flow.pid, signal.SIGKILL)
        assert flow.wait(timeout=30) == -signal.SIGKILL
    assert "Published version" not in Path(log.name).read_text()
    assert _digest(serving) == before
    assert _served_counts(serving) == counts


def test_sigkill_while_a_version_is_staged_leaves_served_marts_intact(flow_env, first_run, served_seed):
    """Killed between staging and publication (the build is done, the new version is being
    written and checked): nothing of it is served, and the next run cleans it up."""
    settings, env = flow_env
    serving = settings.serving_dir
    before, counts = _digest(serving), _served_counts(serving)
    with unpublished_landing(settings, served_seed):
        flow = subprocess.Popen([sys.executable, "-m", "retention_warehouse.cli", "run"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 300
        while not list((serving / "versions").glob(".staging-*")):
            assert flow.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(flow.pid, signal.SIGKILL)
        assert flow.wait(timeout=30) == -signal.SIGKILL
    assert _digest(serving) == before
    assert _served_counts(serving) == counts


READER = """
import sys, duckdb
reader = duckdb.connect(sys.argv[1], read_only=True)
print(reader.execute("select count(*) from dim_customers").fetchone()[0], flush=True)
for _ in sys.stdin:  # one query per line received; exits when stdin closes
    print(reader.execute("select count(*) from dim_customers").fetchone()[0], flush=True)
"""
LOCK_HOLDER = """
import sys, duckdb
holder = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


def test_rerun_publishes_while_a_reader_holds_the_served_file(flow_env, first_run, served_seed):
    """New data is published while the build database is locked at first (retried with
    backoff) and a reader keeps the served DuckDB file open for the whole run."""
    settings, env = flow_env
    serving = settings.serving_dir
    old_manifest = json.loads((serving / "current" / "manifest.json").read_text())
    served_seed["seed"] += 1
    generate(settings.raw_dir, orders=FLOW_ORDERS, seed=served_seed["seed"])
    python = [sys.executable, "-c"]
    reader = subprocess.Popen([*python, READER, str(serving / "marts.duckdb")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    holder = subprocess.Popen([*python, LOCK_HOLDER, str(settings.warehouse_path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        old_count = int(reader.stdout.readline())
        assert holder.stdout.readline().strip() == "locked"
        flow = subprocess.Popen([sys.executable, "-m", "retention_warehouse.cli", "run"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = []
        for line in flow.stdout:
            output.append(line)
            if "Retry 1/" in line and holder.poll() is None:
                holder.stdin.close()  # release the build database after the first failed attempt
                holder.wait(timeout=30)
            reader.stdin.write("\n")
            reader.stdin.flush()
            assert int(reader.stdout.readline()) == old_count  # the open file keeps its version
        text = "".join(output)
        assert flow.wait(timeout=60) == 0, text[-5000:]
    finally:
        for process in (reader, holder):
            if process.poll() is None:
                process.stdin.close()
                process.wait(timeout=30)
    assert "Could not set lock on file" in text and "Retry 1/" in text
    new_manifest = json.loads((serving / "current" / "manifest.json").read_text())
    assert new_manifest["version"] != old_manifest["version"]
    assert new_manifest["raw_fingerprint"] != old_manifest["raw_fingerprint"]
    assert _served_counts(serving) == new_manifest["row_counts"]
    assert not list((serving / "versions").glob(".staging-*"))


def test_failing_mart_expectation_publishes_nothing(demo_warehouse, prefect_env, tmp_path, monkeypatch):
    """In-process flow on a copy of the session's built warehouse (dbt build replaced by a no-op):
    a duplicated key in a mart fails its GX suite after staging, and nothing is published."""
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

    shutil.copy(demo_warehouse.warehouse_path, tmp_path / "warehouse.duckdb")
    settings = demo_warehouse.with_overrides(warehouse_path=tmp_path / "warehouse.duckdb",
                                             serving_dir=tmp_path / "serving")
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    from retention_warehouse.orchestration import flow as flow_module
    # The build's result as the flow reads it: the fits, with the churn step's analysis date.
    monkeypatch.setattr(flow_module, "build", lambda settings, dbt_vars: {"churn": {"analysis_date": dt.date(2025, 12, 31)}})
    with temporary_settings({PREFECT_API_URL: prefect_env["PREFECT_API_URL"],
                             PREFECT_HOME: prefect_env["PREFECT_HOME"]}):
        assert flow_module.build_warehouse()["published"]
        before = _digest(settings.serving_dir)
        with duckdb.connect(str(settings.warehouse_path)) as connection:
            connection.execute("insert into marts.dim_customers select * from marts.dim_customers limit 1")
        with pytest.raises(quality.ChecksFailed,
                           match=r"marts\.dim_customers: expect_column_values_to_be_unique\(customer_id\)"):
            flow_module.build_warehouse(force=True)
        APILogHandler().flush()  # send this process's flow logs while the module's server still runs
    assert _digest(settings.serving_dir) == before
    assert not list((settings.serving_dir / "versions").glob(".staging-*"))


def test_failure_report_names_the_version_a_run_published_before_failing(tmp_path, monkeypatch):
    """A step after the file swap (PostgreSQL switch, dbt docs) can fail: the report must not then
    claim the served version is unchanged."""
    import types

    from conftest import customers_build, stage_customers

    from retention_warehouse.orchestration import publish

    serving = tmp_path / "serving"
    monkeypatch.setenv("RW_SERVING_DIR", str(serving))
    with customers_build(tmp_path / "build.duckdb", [("a", 1)]) as build:
        staged = stage_customers(build, serving, {"flow_run_id": "run-1"})
    publish.publish(staged, serving)
    from retention_warehouse.orchestration import flow as flow_module
    state = types.SimpleNamespace(message="PostgreSQL switch failed")
    for run_id, expected in (("run-1", f"served version: {staged.version}, published by this run"),
                             ("run-2", "served version: unchanged")):
        flow_module.write_failure_report(None, types.SimpleNamespace(name=run_id, id=run_id), state)
        assert expected in (serving / "failures" / f"{run_id}.md").read_text()


def test_the_entry_points_load_the_packaged_flow():
    """`python flows/build_warehouse.py` and prefect.yaml's deployment load the flow the package defines."""
    from prefect.flows import load_flow_from_entrypoint

    from retention_warehouse.orchestration.flow import build_warehouse
    from retention_warehouse.settings import PROJECT_DIR

    entrypoints = {f"{PROJECT_DIR / 'flows' / 'build_warehouse.py'}:build_warehouse"}
    entrypoints |= {
        str(PROJECT_DIR / line.split(":", 1)[1].strip())
        for line in (PROJECT_DIR / "prefect.yaml").read_text().splitlines() if line.strip().startswith("entrypoint:")
    }
    assert len(entrypoints) == 1
    for entrypoint in entrypoints:
        assert load_flow_from_entrypoint(entrypoint) is build_warehouse
