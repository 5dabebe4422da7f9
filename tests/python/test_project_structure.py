"""dbt Labs' structure rules (as dbt-project-evaluator checks them), enforced on the manifest.

dbt hub packages cannot be installed here, so the rules that matter most are checked directly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import isolated_settings

from retention_warehouse.dbt_runner import dbt_args

LAYER_PREFIXES = {"staging": ("base_", "stg_"), "intermediate": ("int_",), "marts": ("fct_", "dim_")}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory) -> dict:
    settings = isolated_settings(tmp_path_factory.mktemp("parse"))
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), *dbt_args(["parse"], settings)],
        env={**os.environ, **settings.environment()}, check=True, capture_output=True,
    )
    data = json.loads((settings.target_path / "manifest.json").read_text())
    return {**data["nodes"], **data["sources"]}


def models(nodes: dict) -> list[dict]:
    return [node for node in nodes.values() if node["resource_type"] == "model"]


def layer(node: dict) -> str:
    return node["fqn"][1]


def parents(node: dict, nodes: dict) -> list[dict]:
    return [nodes[unique_id] for unique_id in node["depends_on"]["nodes"] if unique_id in nodes]


def test_model_names_follow_their_layer(nodes):
    wrong = [m["name"] for m in models(nodes) if not m["name"].startswith(LAYER_PREFIXES[layer(m)])]
    assert not wrong, f"models named against their layer: {wrong}"


def test_every_model_and_column_is_described(nodes):
    missing = []
    for model in models(nodes):
        if not model["description"].strip():
            missing.append(model["name"])
        missing += [f"{model['name']}.{c}" for c, col in model["columns"].items() if not col["description"].strip()]
    assert not missing, f"undocumented: {missing}"


def test_every_model_has_a_primary_key_test(nodes):
    """unique + not_null on one column, or the project's primary_key test on several."""
    tested = {}
    keyed = set()
    for node in nodes.values():
        name = node.get("test_metadata", {}).get("name")
        if node["resource_type"] != "test":
            continue
        if name in {"unique", "not_null"}:
            tested.setdefault((node["attached_node"], node["column_name"]), set()).add(name)
        elif name == "primary_key":
            keyed.add(node["attached_node"])
    keyed |= {model_id for (model_id, _), kinds in tested.items() if kinds == {"unique", "not_null"}}
    untested = [m["name"] for m in models(nodes) if m["unique_id"] not in keyed]
    assert not untested, f"models without a primary-key test: {untested}"


def test_every_mart_has_an_enforced_contract_with_every_column_typed(nodes):
    marts = [m for m in models(nodes) if layer(m) == "marts"]
    unenforced = [m["name"] for m in marts if not m["config"]["contract"]["enforced"]]
    untyped = [f"{m['name']}.{c}" for m in marts for c, column in m["columns"].items() if not column["data_type"]]
    assert marts and not unenforced and not untyped, f"no contract: {unenforced}; no data_type: {untyped}"


def test_only_staging_models_read_sources(nodes):
    offenders = [
        m["name"] for m in models(nodes)
        if any(p["resource_type"] == "source" for p in parents(m, nodes)) and layer(m) != "staging"
    ]
    assert not offenders, f"models reading sources outside staging: {offenders}"


def test_each_source_table_has_one_reader(nodes):
    readers: dict[str, list[str]] = {}
    for model in models(nodes):
        for parent in parents(model, nodes):
            if parent["resource_type"] == "source":
                readers.setdefault(parent["unique_id"], []).append(model["name"])
    fanned_out = {source: names for source, names in readers.items() if len(names) > 1}
    assert not fanned_out, f"sources read by more than one model: {fanned_out}"


def test_staging_reads_only_sources_and_base_models(nodes):
    offenders = [
        f"{m['name']} <- {p['name']}" for m in models(nodes) if m["name"].startswith("stg_")
        for p in parents(m, nodes) if p["resource_type"] == "model" and not p["name"].startswith("base_")
    ]
    assert not offenders, f"staging models reading models other than base models: {offenders}"


def test_no_model_reads_marts_from_lower_layers(nodes):
    offenders = [
        f"{m['name']} <- {p['name']}" for m in models(nodes) if layer(m) in {"staging", "intermediate"}
        for p in parents(m, nodes) if p["resource_type"] == "model" and layer(p) == "marts"
    ]
    assert not offenders, f"lower layers depending on marts: {offenders}"


def test_every_landing_table_is_accounted_for_in_quarantine(nodes):
    """The landing contract (sources with meta.landing) and the registry of validated tables
    (macros/quality/validated_tables.sql, which must name its models where dbt's parser sees
    them) cover the same tables: each landing table's base model feeds fct_quarantined_rows."""
    landing = [n for n in nodes.values() if n["resource_type"] == "source" and "landing" in n["config"]["meta"]]
    assert len(landing) == 7
    readers = {
        parent["unique_id"]: model["name"] for model in models(nodes)
        for parent in parents(model, nodes) if parent["resource_type"] == "source"
    }
    base_models = {readers[source["unique_id"]] for source in landing}
    quarantine = next(m for m in models(nodes) if m["name"] == "fct_quarantined_rows")
    assert {p["name"] for p in parents(quarantine, nodes)} == base_models
    for source in landing:
        assert all(column.get("data_type") for column in source["columns"].values()), source["name"]


def _package_imports() -> dict[str, set[str]]:
    """Which top-level parts of the retention_warehouse package import which others."""
    import ast

    root = Path(__file__).resolve().parents[2] / "src" / "retention_warehouse"
    imports: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        part = parts[0].removesuffix(".py")
        package = ["retention_warehouse", *parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            # `from .x import y` is relative to the file's package, one level up per extra dot.
            base = package[:len(package) - node.level + 1] if node.level else []
            module = [*base, *(node.module or "").split(".")]
            if module[0] == "retention_warehouse" and len(module) > 1 and module[1] and module[1] != part:
                imports.setdefault(part, set()).add(module[1])
    return imports


def test_python_packages_import_each_other_without_cycles():
    imports = _package_imports()
    assert imports.get("orchestration"), "the scan sees the package's imports"

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt}))
                   for nxt in imports.get(start, ()))

    cyclic = sorted(part for part in imports if reaches(part, part, {part}))
    assert not cyclic, f"import cycles through: {cyclic}"
