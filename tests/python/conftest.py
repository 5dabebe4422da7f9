"""Shared fixtures: demo data generated and built once per test session, in a temporary folder.

Owned by the lead; helpers add fixtures only with small additive edits.
"""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb
import pytest

from retention_warehouse.orchestration import publish
from retention_warehouse.orchestration.marts import Mart
from retention_warehouse.settings import Settings

DEMO_ORDERS = 20_000
DEMO_SEED = 7


def isolated_settings(root) -> Settings:
    """Settings whose every path lives under `root`, so tests never touch the user's data."""
    return Settings.from_env().with_overrides(
        raw_dir=root / "raw",
        warehouse_path=root / "warehouse.duckdb",
        serving_dir=root / "serving",
        target_path=root / "target",
        target="duckdb",
    )


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    """Runs `retention-warehouse` in a child process, as a user would, with these settings.

    A child process also keeps dbt-duckdb's in-process connection out of the test process, which
    could otherwise not open the same file read-only.
    """
    result = subprocess.run(
        [sys.executable, "-m", "retention_warehouse.cli", *args],
        env={**os.environ, **settings.environment()},
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        f"retention-warehouse {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result


CUSTOMERS_MART = Mart("dim_customers", "customer_id", "One row per customer.", {"orders": "Orders placed."})


def customers_build(path, customers: list[tuple[str, int]]) -> duckdb.DuckDBPyConnection:
    """A build database holding one mart, marts.dim_customers: the publishing tests' smallest
    warehouse."""
    connection = duckdb.connect(str(path))
    connection.execute("create schema if not exists marts")
    connection.execute("create or replace table marts.dim_customers (customer_id varchar, orders bigint)")
    connection.executemany("insert into marts.dim_customers values (?, ?)", customers)
    return connection


def stage_customers(build: duckdb.DuckDBPyConnection, serving_dir, metadata: dict | None = None) -> publish.StagedVersion:
    """That mart staged as a serving version (not yet published)."""
    return publish.stage(build, [CUSTOMERS_MART], serving_dir, {"raw_fingerprint": "x", **(metadata or {})})


def pytest_collection_modifyitems(items):
    """Every test on the demo warehouse builds one: `make test-fast` leaves them out."""
    for item in items:
        if "demo_warehouse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.warehouse)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Settings:
    """Generated demo data (DEMO_ORDERS, DEMO_SEED) built by `retention-warehouse build`."""
    settings = isolated_settings(tmp_path_factory.mktemp("demo"))
    run_cli(settings, "generate", "--orders", str(DEMO_ORDERS), "--seed", str(DEMO_SEED))
    run_cli(settings, "build")
    return settings


@pytest.fixture()
def warehouse_connection(demo_warehouse):
    connection = duckdb.connect(str(demo_warehouse.warehouse_path), read_only=True)
    yield connection
    connection.close()
