"""What a DuckDB 1.x client (most BI drivers) sees across a publish, as docs/bi.md says: an open
connection keeps its version, a new connection in the same process can be handed the database it
already has open (DuckDB issue 15912), and closing every connection then reopening reads the new
version. The client runs in a virtual environment of its own with DuckDB 1.1.3 from PyPI."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest
from conftest import customers_build, stage_customers

from retention_warehouse.orchestration import publish

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

CLIENT_DUCKDB = "1.1.3"
CLIENT = textwrap.dedent("""
    import sys, duckdb
    path = sys.argv[1]
    def version(connection):
        return connection.execute("select version from _build_info").fetchone()[0]
    held = duckdb.connect(path, read_only=True)
    print(duckdb.__version__, version(held), flush=True)
    sys.stdin.readline()  # the test publishes a new version meanwhile
    second = duckdb.connect(path, read_only=True)
    print(version(held), version(second), flush=True)
    held.close()
    second.close()
    reopened = duckdb.connect(path, read_only=True)
    print(version(reopened), flush=True)
""")


@pytest.fixture(scope="module")
def client_python(tmp_path_factory) -> str:
    venv = tmp_path_factory.mktemp("duckdb1")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", f"duckdb=={CLIENT_DUCKDB}"], check=True)
    return str(venv / "bin" / "python")


def _publish(build: duckdb.DuckDBPyConnection, serving) -> str:
    staged = stage_customers(build, serving)
    publish.publish(staged, serving)
    return staged.version


def test_duckdb_1x_client_sees_what_the_docs_promise(client_python, tmp_path):
    serving = tmp_path / "serving"
    build = customers_build(tmp_path / "build.duckdb", [("a", 1)])
    first = _publish(build, serving)
    client = subprocess.Popen([client_python, "-c", CLIENT, str(serving / publish.DUCKDB_FILE)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().split() == [CLIENT_DUCKDB, first]
        second = _publish(build, serving)
        client.stdin.write("go\n")
        client.stdin.flush()
        held, new_in_same_process = client.stdout.readline().split()
        reopened = client.stdout.readline().strip()
    finally:
        client.kill()
        stderr = client.stderr.read()
    assert held == first, "an open connection keeps reading its version"
    assert new_in_same_process == first, "DuckDB 1.x hands a new connection the database it has open"
    assert reopened == second, stderr
