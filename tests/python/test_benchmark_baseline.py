"""The benchmark's hand-written baseline computes the same core marts as the project.

Reuses the session's demo build, so the only added cost is the baseline script (under a second).
"""

from __future__ import annotations

import os
import sys

import duckdb
import pytest

from retention_warehouse.benchmarks.baseline import run_baseline
from retention_warehouse.benchmarks.compare import MARTS, compare_marts
from retention_warehouse.benchmarks.measure import measure

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`


def test_baseline_equals_project_marts(demo_warehouse, tmp_path):
    database = tmp_path / "hand_written.duckdb"
    run_baseline(demo_warehouse.raw_dir, database)

    differences = compare_marts(demo_warehouse.warehouse_path, database)

    assert set(differences) == {mart.project_relation for mart in MARTS}
    assert not any(differences.values()), differences


def test_comparison_reports_changed_and_missing_rows(demo_warehouse, tmp_path):
    database = tmp_path / "hand_written.duckdb"
    run_baseline(demo_warehouse.raw_dir, database)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "update baseline.fct_retention_rate set retention_rate = retention_rate * (1 + 1e-6)"
            " where period_start = (select max(period_start) from baseline.fct_retention_rate)"
        )
        connection.execute(
            "delete from baseline.dim_customers"
            " where customer_id = (select min(customer_id) from baseline.dim_customers)"
        )

    differences = compare_marts(demo_warehouse.warehouse_path, database)

    assert "retention_rate:" in differences["marts.fct_retention_rate"][0]
    assert "only in project" in differences["marts.dim_customers"][0]
    assert differences["marts.fct_growth_accounting"] == []


def test_measure_reports_peak_memory_of_the_child(tmp_path):
    command = [sys.executable, "-c", "block = bytearray(300 * 2**20); block[::4096] = b'x' * len(block[::4096])"]

    result = measure(command, dict(os.environ), tmp_path / "no-temp-dir", tmp_path / "child.log")

    assert result.returncode == 0
    assert 0.25 < result.peak_rss_gib < 1.0
    assert result.peak_spill_gib == 0
