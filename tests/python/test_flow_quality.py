"""Great Expectations suites of the flow: wiring, contract, live evaluation, offline Data Docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from retention_warehouse.landing.contract import ARROW_TYPES, TABLES
from retention_warehouse.orchestration import data_docs, quality
from retention_warehouse.orchestration.marts import discover_marts

pytestmark = pytest.mark.warehouse  # builds a warehouse or runs the flow: not in `make test-fast`

GX = quality.GX_DIR


def _suite(name: str) -> dict:
    layer, table = name.split(".", 1)
    return json.loads((GX / "expectations" / layer / f"{table}.json").read_text())


def test_row_count_bounds_allow_the_tolerance_or_the_slack_whichever_is_wider():
    assert quality.row_count_bounds(None, 0.5) == {"min_rows": 0, "max_rows": None}
    assert quality.row_count_bounds(1000, 0.5) == {"min_rows": 500, "max_rows": 1500}
    assert quality.row_count_bounds(1000, 0.0) == {"min_rows": 990, "max_rows": 1010}
    assert quality.row_count_bounds(4, 0.5) == {"min_rows": 0, "max_rows": 14}


def test_every_suite_has_a_validation_definition_and_checkpoint_of_its_name():
    suites = {f"{p.parent.name}.{p.stem}" for p in (GX / "expectations").glob("*/*.json")}
    checkpoints = {p.stem: json.loads(p.read_text()) for p in (GX / "checkpoints").glob("*.json")}
    definitions = {p.stem: json.loads(p.read_text()) for p in (GX / "validation_definitions").glob("*.json")}
    assert suites == set(checkpoints) == set(definitions)
    for name in suites:
        assert [d["name"] for d in checkpoints[name]["validation_definitions"]] == [name]
        assert definitions[name]["suite"]["name"] == name
        assert definitions[name]["data"]["asset"]["name"] == name
    assert quality.DEFAULT_MART_CHECKPOINT in suites


# How GX sees each contract type in the pandas frame it validates (nullable integers as Int64).
GX_TYPES = {"string": ["str"], "double": ["float64"], "bigint": ["int64", "Int64Dtype"]}


def test_raw_suites_expect_exactly_the_landing_contract_columns_and_types():
    for table, landing_table in TABLES.items():
        columns = {field.name: field.type for field in landing_table.schema}
        if landing_table.partition_column:
            columns[landing_table.partition_column] = pa.string()
        expectations = _suite(f"raw.{table}")["expectations"]
        kinds = {e["type"]: e["kwargs"] for e in expectations}
        assert set(kinds["expect_table_columns_to_match_set"]["column_set"]) == set(columns), table
        typed = {
            e["kwargs"]["column"]: e["kwargs"].get("type_list") or [e["kwargs"]["type_"]]
            for e in expectations if e["type"] in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list")
        }
        data_types = {arrow: name for name, arrow in ARROW_TYPES.items()}
        assert typed == {name: GX_TYPES[data_types[kind]] for name, kind in columns.items()}, table


@pytest.fixture(scope="module")
def mart_frames(demo_warehouse) -> dict:
    with duckdb.connect(str(demo_warehouse.warehouse_path), read_only=True) as connection:
        return {
            mart.name: connection.execute(f"select * from marts.{mart.name}").df()
            for mart in discover_marts(demo_warehouse)
        }


@pytest.fixture(scope="module")
def gx_context(tmp_path_factory):
    serving = tmp_path_factory.mktemp("gx_serving")
    return quality.open_context(serving), serving


def _check(gx_context, mart: str, frame) -> quality.CheckResult:
    context, _ = gx_context
    name = f"marts.{mart}"
    checkpoint = name if name in quality.checkpoint_names(context) else quality.DEFAULT_MART_CHECKPOINT
    return quality.run_checkpoint(context, checkpoint, name, frame, quality.row_count_bounds(None, 0.5))


def test_built_marts_pass_their_suites(gx_context, mart_frames):
    results = [_check(gx_context, mart, frame) for mart, frame in mart_frames.items()]
    assert [r.failures for r in results if not r.success] == []
    assert {r.checkpoint for r in results} >= {"marts.dim_customers", "marts.fct_retention_rate"}


def test_retention_rate_above_one_is_accepted_by_design(gx_context, mart_frames):
    rates = mart_frames["fct_retention_rate"].copy()
    rates.loc[rates.index[0], "retention_rate"] = 1.3  # lapsed customers came back
    assert _check(gx_context, "fct_retention_rate", rates).success


def test_violated_mart_expectations_fail_and_name_the_check(gx_context, mart_frames):
    customers = mart_frames["dim_customers"]
    duplicated = customers.iloc[[0, *range(len(customers))]]
    result = _check(gx_context, "dim_customers", duplicated)
    assert not result.success
    assert any("expect_column_values_to_be_unique(customer_id): 2 unexpected" in f for f in result.failures)

    rates = mart_frames["fct_retention_rate"].copy()
    rates.loc[rates.index[0], "churn_rate"] = 1.5
    result = _check(gx_context, "fct_retention_rate", rates)
    assert result.failures == [
        "marts.fct_retention_rate: expect_column_values_to_be_between(churn_rate): 1 unexpected values, e.g. [1.5]"
    ]

    shrunk = quality.run_checkpoint(gx_context[0], quality.DEFAULT_MART_CHECKPOINT, "marts.any", customers.head(10),
                                    quality.row_count_bounds(len(customers), 0.5))
    assert shrunk.failures == ["marts.any: expect_table_row_count_to_be_between: observed 10"]


def test_data_docs_load_no_remote_asset(gx_context, mart_frames):
    context, serving = gx_context
    results = [_check(gx_context, "fct_retention_rate", mart_frames["fct_retention_rate"])]
    index = data_docs.build_data_docs(context, serving, results)

    pages = list(index.parent.rglob("*.html"))
    assert len(pages) >= 3  # index, suite page, validation result page
    for page in pages:
        html = page.read_text()
        assert not re.search(r'<(?:script|link|img)[^>]*(?:src|href)="https?://', html), page
        assert "great-expectations-web-assets" not in html, page
        for local in re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"#]+\.(?:js|css))"', html):
            assert (page.parent / local).resolve().is_file(), (page, local)
    fonts = Path(index.parent, data_docs.SITE_ASSETS, "webfonts")
    assert (fonts / "fa-solid-900.woff2").is_file()
