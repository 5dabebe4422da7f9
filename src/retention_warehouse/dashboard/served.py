"""Reads of the published version for the dashboard.

Each read opens the served DuckDB file read-only and closes it, so the dashboard never holds a
published file open (docs/bi.md). A page pins the version first (`pinned`): all its reads go to
the same version file, even when a publish switches `marts.duckdb` while the page is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from retention_warehouse.orchestration.publish import DUCKDB_FILE


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; None means all."""

    acquisition_channel: str | None = None
    cohort_from: date | None = None
    cohort_to: date | None = None

    def clause(self, channel_column: str | None, cohort_column: str | None) -> tuple[str, list]:
        """A `where` condition over a mart's channel and cohort columns (None: the mart has no such
        column, so that filter does not apply) and its parameters; `true` when nothing applies."""
        conditions, parameters = ["true"], []
        if self.acquisition_channel and channel_column:
            conditions.append(f"{channel_column} = ?")
            parameters.append(self.acquisition_channel)
        if self.cohort_from and cohort_column:
            conditions.append(f"{cohort_column} >= ?")
            parameters.append(self.cohort_from)
        if self.cohort_to and cohort_column:
            conditions.append(f"{cohort_column} <= ?")
            parameters.append(self.cohort_to)
        return " and ".join(conditions), parameters


class ServedMarts:
    """The published marts: `<serving>/marts.duckdb`, the link to the current version."""

    def __init__(self, serving_dir: Path):
        self.path = Path(serving_dir) / DUCKDB_FILE

    def pinned(self) -> ServedMarts:
        """The version published now: reads through the link resolved once."""
        pinned = ServedMarts(self.path.parent)
        pinned.path = self.path.resolve()
        return pinned

    def frame(self, sql: str, parameters: list | None = None) -> pd.DataFrame:
        if not self.path.exists():
            raise FileNotFoundError(f"no published version at {self.path}: run `retention-warehouse run` first")
        with duckdb.connect(str(self.path), read_only=True) as connection:
            return connection.execute(sql, parameters or []).df()

    def build_info(self) -> dict:
        return self.frame("select version, published_at, as_of_date from _build_info").iloc[0].to_dict()

    def acquisition_channels(self) -> list[str]:
        return list(self.frame(
            "select distinct acquisition_channel from dim_customers "
            "where acquisition_channel is not null order by 1")["acquisition_channel"])

    def cohort_periods(self) -> list[date]:
        return list(self.frame("select distinct cohort_period from fct_cohort_retention order by 1")["cohort_period"])
