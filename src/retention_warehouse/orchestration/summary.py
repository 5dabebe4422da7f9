"""The run summary: row counts, headline metrics and links, as Markdown for a Prefect artifact."""

from __future__ import annotations

from pathlib import Path

import duckdb

from retention_warehouse.orchestration.publish import DUCKDB_FILE

# Headline metric -> (mart it needs, query on the served DuckDB file). Metrics whose mart is not
# built (yet) are left out of the summary.
HEADLINES: dict[str, tuple[str, str]] = {
    "customers": ("dim_customers", "select count(*) from dim_customers"),
    "net revenue (base currency)": ("dim_customers", "select sum(net_revenue_base) from dim_customers"),
    "retention rate, last complete period": (
        "fct_retention_rate",
        "select retention_rate from fct_retention_rate where is_complete order by period_start desc limit 1",
    ),
    "churn rate, last complete period": (
        "fct_retention_rate",
        "select churn_rate from fct_retention_rate where is_complete order by period_start desc limit 1",
    ),
    "mean P(alive)": ("fct_customer_clv", "select avg(p_alive) from fct_customer_clv"),
    "predicted CLV, all customers (base currency)": (
        "fct_customer_clv", "select sum(predicted_clv_base) from fct_customer_clv",
    ),
    "customers at high churn risk": (
        "fct_customer_churn_risk", "select count(*) from fct_customer_churn_risk where risk_segment = 'high'",
    ),
    "expected revenue at risk (base currency)": (
        "fct_customer_churn_risk", "select sum(expected_revenue_at_risk_base) from fct_customer_churn_risk",
    ),
    "churn model validation AUC": (
        "fct_churn_model_fit", "select validation_auc from fct_churn_model_fit where is_current",
    ),
}


def headline_metrics(version_dir: Path) -> dict[str, float | None]:
    with duckdb.connect(str(version_dir / DUCKDB_FILE), read_only=True) as connection:
        tables = {row[0] for row in connection.execute("select table_name from duckdb_tables()").fetchall()}
        return {
            label: connection.execute(query).fetchall()[0][0]
            for label, (mart, query) in HEADLINES.items()
            if mart in tables
        }


def _number(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and abs(value) < 10:
        return f"{value:.4f}"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def render(*, version: str, serving_dir: Path, row_counts: dict[str, int],
           previous_counts: dict[str, int], metrics: dict, checks: int, checkpoints: int,
           new_partitions: dict[str, list[str]], data_docs: Path, dbt_docs: Path, report: Path,
           postgres: str | None = None) -> str:
    lines = [
        f"# Warehouse published: version `{version}`",
        "",
        f"- served DuckDB file: `{serving_dir / DUCKDB_FILE}` (Parquet: `{serving_dir / 'parquet'}`)",
        *([f"- PostgreSQL: {postgres}"] if postgres else []),
        f"- [Data Docs]({data_docs.as_uri()}): {checks} expectations in {checkpoints} checkpoints passed",
        f"- [dbt docs]({dbt_docs.as_uri()}): every model and column, lineage (one offline page)",
        f"- [run report]({report.as_uri()})",
        "- new raw partitions: " + (
            ", ".join(f"{table} {', '.join(values)}" for table, values in new_partitions.items() if values)
            or "none"
        ),
        "",
        "| mart | rows | previous |",
        "|---|---:|---:|",
        *[
            f"| {mart} | {count:,} | {_number(previous_counts.get(mart))} |"
            for mart, count in sorted(row_counts.items())
        ],
        "",
        "| headline metric | value |",
        "|---|---:|",
        *[f"| {label} | {_number(value)} |" for label, value in metrics.items()],
    ]
    return "\n".join(lines) + "\n"
