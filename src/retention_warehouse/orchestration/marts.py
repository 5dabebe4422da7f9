"""Marts as the dbt manifest describes them, and the one place that reads built marts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from retention_warehouse.settings import Settings

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class Mart:
    name: str  # relation name in the marts schema, also the served table and Parquet file name
    primary_key: str | None  # column with a dbt `unique` test, when there is one
    description: str = ""  # dbt's, doc blocks rendered; served as the table comment
    column_descriptions: dict[str, str] = field(default_factory=dict, compare=False)


def discover_marts(settings: Settings) -> list[Mart]:
    """Every model dbt builds into the marts schema, from the last manifest in the target path.

    Reading the manifest instead of a fixed list lets new marts be published (and validated by
    the default suite) as soon as they are added under models/marts/.
    """
    manifest = json.loads((settings.target_path / "manifest.json").read_text())
    nodes = manifest["nodes"].values()
    models = {
        node["unique_id"]: node
        for node in nodes
        if node["resource_type"] == "model"
        and node["schema"] == MARTS_SCHEMA
        and node["config"]["materialized"] != "ephemeral"
    }
    keys = {
        node["attached_node"]: node["column_name"]
        for node in nodes
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") == "unique"
        and node.get("attached_node") in models
    }
    return sorted((
        Mart(node["alias"], keys.get(uid), " ".join(node["description"].split()),
             {name: " ".join(column["description"].split()) for name, column in node["columns"].items()})
        for uid, node in models.items()
    ), key=lambda m: m.name)


def open_marts(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection in which every built mart reads as `marts.<name>`.

    Publishing reads marts only through this function, so another dbt target (Spark) needs a
    branch here and nothing else. On DuckDB the build file itself is opened with the default
    configuration: dbt-duckdb keeps it open in this process, and DuckDB only shares an open
    database with a connection of the same configuration.
    """
    if settings.target == "duckdb":
        return duckdb.connect(str(settings.warehouse_path))
    raise NotImplementedError(f"publishing marts built on target {settings.target!r}")
