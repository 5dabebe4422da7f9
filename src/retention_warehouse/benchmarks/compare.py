"""Row-for-row comparison of the project's marts with the baseline script's tables.

Both databases are attached read-only to one in-memory DuckDB connection and each pair of
relations is full-outer-joined on its key, so the comparison runs in DuckDB at any size and a
missing row, an extra row or a changed value all show up as a difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

# Doubles are ratios of exact decimals and counts; only float rounding may differ.
RELATIVE_TOLERANCE = 1e-9
SHOWN_DIFFERENCES = 5


@dataclass(frozen=True)
class Mart:
    project_relation: str  # schema.table in the dbt warehouse
    key: tuple[str, ...]

    @property
    def baseline_relation(self) -> str:
        return "baseline." + self.project_relation.split(".")[1]


MARTS = (
    Mart("staging.stg_shop__orders", ("order_id",)),
    Mart("marts.dim_customers", ("customer_id",)),
    Mart("marts.fct_cohort_retention", ("cohort_period", "period_number")),
    Mart("marts.fct_retention_rate", ("period_start",)),
    Mart("marts.fct_growth_accounting", ("period_start",)),
    Mart("intermediate.int_clv__rfm_summary", ("customer_id",)),
    Mart("marts.fct_rfm_segments", ("customer_id",)),
)


def _columns(connection, database: str, relation: str) -> dict[str, str]:
    schema, table = relation.split(".")
    rows = connection.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
        [database, schema, table],
    ).fetchall()
    return dict(rows)


def _differs(column: str, data_type: str) -> str:
    """SQL that is true when the project's (p) and the baseline's (b) value differ."""
    p, b = f'p."{column}"', f'b."{column}"'
    if data_type in ("DOUBLE", "FLOAT", "REAL"):
        close = f"abs({p} - {b}) <= {RELATIVE_TOLERANCE} * greatest(abs({p}), abs({b}))"
        return f"not ({p} is not distinct from {b} or coalesce({close}, false))"
    return f"{p} is distinct from {b}"


def _difference_query(mart: Mart, columns: dict[str, str]) -> str:
    keys = ", ".join(f'"{k}"' for k in mart.key)
    described = ", ".join(
        f"""case when {_differs(c, t)} then '{c}: project ' || coalesce(cast(p."{c}" as varchar), 'null')"""
        f""" || ', baseline ' || coalesce(cast(b."{c}" as varchar), 'null') end"""
        for c, t in columns.items() if c not in mart.key
    )
    return f"""
        with p as (select *, true as p_row from project.{mart.project_relation}),
        b as (select *, true as b_row from bench.{mart.baseline_relation}),
        joined as (
            select {keys},
                case when p.p_row is null then 'only in baseline'
                     when b.b_row is null then 'only in project'
                     else concat_ws('; ', {described or "null"}) end as difference
            from p full outer join b using ({keys})
        )
        select {keys}, difference, count(*) over () as differences
        from joined where difference <> ''
        order by {keys} limit {SHOWN_DIFFERENCES}
    """


def _duplicate_keys(connection, relation: str, key: tuple[str, ...]) -> int:
    keys = ", ".join(f'"{k}"' for k in key)
    return connection.execute(f"select count(*) - count(distinct ({keys})) from {relation}").fetchone()[0]


def compare_mart(connection, mart: Mart) -> list[str]:
    """Descriptions of the first differences of one mart; empty when equal."""
    project = _columns(connection, "project", mart.project_relation)
    bench = _columns(connection, "bench", mart.baseline_relation)
    if not project or not bench:
        return [f"{mart.project_relation}: missing in {'project' if not project else 'baseline'}"]
    if set(project) != set(bench):
        return [(f"{mart.project_relation}: columns differ: project only {sorted(set(project) - set(bench))},"
                 f" baseline only {sorted(set(bench) - set(project))}")]
    for database, relation in (("project", mart.project_relation), ("bench", mart.baseline_relation)):
        if duplicates := _duplicate_keys(connection, f"{database}.{relation}", mart.key):
            return [f"{mart.project_relation}: {duplicates} duplicate keys {mart.key} in {database}"]
    rows = connection.execute(_difference_query(mart, project)).fetchall()
    return [
        f"{mart.project_relation} [{rows[0][-1]} rows differ] "
        + ", ".join(f"{k}={v}" for k, v in zip(mart.key, row)) + f": {row[len(mart.key)]}"
        for row in rows
    ]


def compare_marts(warehouse: Path, baseline_database: Path) -> dict[str, list[str]]:
    """Differences per mart (project relation name -> first differences)."""
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{warehouse}' as project (read_only)")
        connection.execute(f"attach '{baseline_database}' as bench (read_only)")
        return {mart.project_relation: compare_mart(connection, mart) for mart in MARTS}
    finally:
        connection.close()
