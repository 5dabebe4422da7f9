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

# Deliberate exceptions to dbt-project-evaluator's rules, each with its reason.
FANOUT_EXCEPTIONS = {
    # The customer at its cohort grain: every customer-level mart joins it for the cohort and the
    # acquisition channel. Folding it into the marts would repeat the cohort logic five times.
    "int_customers__cohorts": [
        "fct_cohort_retention", "fct_return_rate_by_channel", "fct_repeat_spend_by_tenure",
        "fct_retention_by_product_breadth", "dim_customers",
    ],
}
REJOIN_EXCEPTIONS = [
    # Active spells are the trailing-window logic of "a customer at a date", unit-tested on their
    # own (test_active_window_is_trailing_days); inlined into the counts they could not be.
    "int_customers__period_activity -> int_customers__active_spells -> int_retention__period_counts",
    "int_calendar__periods -> int_customers__active_spells -> int_retention__period_counts",
    # Product breadth is a customer attribute with its own key test; only the breadth mart reads
    # it today, and dim_customers does not carry it because the benchmark's baseline computes
    # dim_customers as it is (src/retention_warehouse/benchmarks/baseline.sql).
    "int_customers__cohorts -> int_customers__product_breadth -> fct_retention_by_product_breadth",
]
# The one-row analysis date is a parameter every point-in-time model reads, not a concept.
REJOIN_PARAMETERS = {"int_calendar__analysis_date"}
JOIN_EXCEPTIONS = {
    # A union of the seven base models (one per landing table), not a join.
    "fct_quarantined_rows": 7,
}
FRESHNESS_EXCEPTIONS = [
    # Written by the CLV and churn fits inside every build: fresh by construction.
    "clv_fit.bgnbd_scores", "clv_fit.churn_calibration", "clv_fit.churn_model_fits", "clv_fit.churn_scores",
    "clv_fit.model_fits",
    # Exports with no row time that tracks the export (a catalogue, customer records, order
    # lines: their orders carry the freshness check) or that arrive in bursts (experiments).
    "experiments.experiment_assignments", "shop.customers", "shop.order_items", "shop.products",
]
LAYER_PREFIXES = {"staging": ("base_", "stg_"), "intermediate": ("int_",), "marts": ("fct_", "dim_")}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    settings = isolated_settings(tmp_path_factory.mktemp("parse"))
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), *dbt_args(["parse"], settings)],
        env={**os.environ, **settings.environment()}, check=True, capture_output=True,
    )
    return json.loads((settings.target_path / "manifest.json").read_text())


@pytest.fixture(scope="module")
def nodes(manifest) -> dict:
    return {**manifest["nodes"], **manifest["sources"]}


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


# dbt-project-evaluator's thresholds (its defaults).
FANOUT_THRESHOLD = 3
TOO_MANY_JOINS_THRESHOLD = 7
CHAINED_VIEWS_THRESHOLD = 4


def children(nodes: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for model in models(nodes):
        for parent in parents(model, nodes):
            found.setdefault(parent["unique_id"], []).append(model)
    return found


def test_no_model_fans_out_to_many_leaf_models(nodes):
    """A model feeding more than three end-of-DAG models usually hides logic that those leaves
    repeat; the evaluator's fct_model_fanout. The shared intermediate models feed intermediate
    models, so their leaves are few."""
    below = children(nodes)
    fanned = {
        model["name"]: leaves for model in models(nodes)
        if len(leaves := [c["name"] for c in below.get(model["unique_id"], []) if c["unique_id"] not in below])
        > FANOUT_THRESHOLD
    }
    assert fanned == FANOUT_EXCEPTIONS, fanned


def test_no_model_rejoins_an_upstream_concept(nodes):
    """A -> B -> C with A -> C, where C is B's only child: B belongs inside C (fct_rejoining_of_upstream_concepts)."""
    below = children(nodes)
    rejoined = []
    for b in models(nodes):
        if len(below.get(b["unique_id"], [])) == 1:
            c = below[b["unique_id"]][0]
            rejoined += [
                f"{a['name']} -> {b['name']} -> {c['name']}" for a in parents(b, nodes)
                if a["resource_type"] == "model" and a["name"] not in REJOIN_PARAMETERS
                and a["unique_id"] in c["depends_on"]["nodes"]
            ]
    assert sorted(rejoined) == sorted(REJOIN_EXCEPTIONS), rejoined


def test_no_model_joins_too_many_relations(nodes):
    """fct_too_many_joins: a model reading seven or more relations does too much at once."""
    crowded = {
        m["name"]: len(m["depends_on"]["nodes"]) for m in models(nodes)
        if len(m["depends_on"]["nodes"]) >= TOO_MANY_JOINS_THRESHOLD
    }
    assert crowded == JOIN_EXCEPTIONS, crowded


def test_every_model_has_a_parent_and_every_source_a_reader(nodes):
    roots = [m["name"] for m in models(nodes) if not m["depends_on"]["nodes"]]
    read = {p for m in models(nodes) for p in m["depends_on"]["nodes"]}
    unused = [s["unique_id"] for s in nodes.values() if s["resource_type"] == "source" and s["unique_id"] not in read]
    assert not roots and not unused, f"root models: {roots}; unused sources: {unused}"


def test_models_sit_in_their_layer_and_source_folder_with_their_yaml(nodes):
    """Staging models under staging/<source>/ (base_ models in its base/ folder), the source's
    YAML beside them; every model's YAML (docs, tests, unit tests) in the folder of its SQL (for
    base_ models, the source's folder above)."""
    misplaced = []
    for model in models(nodes):
        folder = Path(model["original_file_path"]).parent
        yaml_folder = folder.parent if model["name"].startswith("base_") else folder
        if model["patch_path"] is None or Path(model["patch_path"].split("://")[-1]).parent != yaml_folder:
            misplaced.append(f"{model['name']}: YAML {model['patch_path']}")
        for parent in parents(model, nodes):
            if parent["resource_type"] != "source":
                continue
            source_folder = Path("models/staging") / parent["source_name"]
            if yaml_folder != source_folder or Path(parent["original_file_path"]).parent != source_folder:
                misplaced.append(f"{model['name']} reads {parent['unique_id']}: expected under {source_folder}")
    assert not misplaced, misplaced


def test_sources_are_described_and_fresh_or_excepted(nodes):
    sources = [s for s in nodes.values() if s["resource_type"] == "source"]
    undescribed = [s["unique_id"] for s in sources if not (s["description"].strip() and s["source_description"].strip())]
    without_freshness = sorted(
        s["unique_id"].removeprefix("source.retention_warehouse.") for s in sources
        if not (s["freshness"] and (s["freshness"].get("warn_after") or {}).get("count"))
    )
    assert not undescribed, undescribed
    assert without_freshness == sorted(FRESHNESS_EXCEPTIONS), without_freshness


def test_views_do_not_chain_deep_and_exposures_read_tables(manifest):
    everything = {**manifest["nodes"], **manifest["sources"]}

    def view_depth(unique_id: str) -> int:
        node = everything[unique_id]
        if node["resource_type"] != "model" or node["config"]["materialized"] != "view":
            return 0
        return 1 + max((view_depth(p) for p in node["depends_on"]["nodes"] if p in everything), default=0)

    deep = {m["name"]: d for m in models(everything) if (d := view_depth(m["unique_id"])) > CHAINED_VIEWS_THRESHOLD}
    not_tables = [
        f"{e['name']} <- {everything[p]['name']}" for e in manifest["exposures"].values() for p in e["depends_on"]["nodes"]
        if everything[p]["config"]["materialized"] not in {"table", "incremental"}
    ]
    assert not deep and not not_tables, f"chained views: {deep}; exposures on views: {not_tables}"


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
