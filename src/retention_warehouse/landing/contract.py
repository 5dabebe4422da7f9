"""The landing contract, read from the dbt sources YAML: the one place that says which tables
land, with which columns and types, and which are partitioned by `order_month` folders.

A source table with `meta.landing` is a folder under the landing directory (`<table>/*.parquet`,
or `<table>/<partition_column>=<value>/*.parquet`); its file columns are the YAML columns other
than the partition column, with the Arrow type of their `data_type`. The generator and the
importer write exactly these schemas, register_landing_tables reads the same YAML through dbt's
graph, and a test holds the GX raw suites to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import yaml

from retention_warehouse.settings import PROJECT_DIR

SOURCES_GLOB = "models/staging/*/_*__sources.yml"
PARTITION_COLUMN = "order_month"
ARROW_TYPES = {"string": pa.string(), "double": pa.float64(), "bigint": pa.int64()}
# The generator's record of what it generated; a landing file that is not a table.
PARAMS_FILE = "_generator_params.json"


@dataclass(frozen=True)
class LandingTable:
    name: str
    schema: pa.Schema  # the columns of each file
    partition_column: str | None  # from the folder names, not stored in the files


def _landing_table(table: dict, path: Path) -> LandingTable:
    partition_column = table["config"]["meta"]["landing"]["partition_column"]
    if partition_column not in (None, PARTITION_COLUMN):
        # The writers, the landing swap and the incremental staging models know one partitioning.
        raise ValueError(f"{path}: {table['name']} is partitioned by {partition_column}; only {PARTITION_COLUMN} is")
    fields = []
    for column in table["columns"]:
        if column["name"] == partition_column:
            continue
        if column.get("data_type") not in ARROW_TYPES:
            raise ValueError(
                f"{path}: column {table['name']}.{column['name']} needs a data_type of {sorted(ARROW_TYPES)}"
            )
        fields.append(pa.field(column["name"], ARROW_TYPES[column["data_type"]]))
    return LandingTable(table["name"], pa.schema(fields), partition_column)


def read_contract(project_dir: Path = PROJECT_DIR) -> dict[str, LandingTable]:
    """Every landing table of the project's sources YAML, by table name."""
    tables = {}
    for path in sorted(project_dir.glob(SOURCES_GLOB)):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                if "landing" in (table.get("config") or {}).get("meta", {}):
                    tables[table["name"]] = _landing_table(table, path)
    if not tables:
        raise RuntimeError(f"no landing tables in {project_dir / SOURCES_GLOB}: the package runs from the project tree")
    return tables


TABLES = read_contract()
SCHEMAS: dict[str, pa.Schema] = {name: table.schema for name, table in TABLES.items()}
PARTITIONED = frozenset(name for name, table in TABLES.items() if table.partition_column)
