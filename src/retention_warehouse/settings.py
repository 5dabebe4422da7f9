"""Paths and connection settings, read from environment variables with safe local defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROFILES_DIR = PROJECT_DIR / "profiles"


def _path(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (PROJECT_DIR / path)


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_path: Path
    serving_dir: Path
    target_path: Path
    target: str
    spark_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(
            raw_dir=_path(env("RW_RAW_DIR", "data/raw")),
            warehouse_path=_path(env("RW_WAREHOUSE_PATH", "data/warehouse.duckdb")),
            serving_dir=_path(env("RW_SERVING_DIR", "data/serving")),
            target_path=_path(env("DBT_TARGET_PATH", "target")),
            target=env("RW_TARGET", "duckdb"),
            spark_dir=_path(env("RW_SPARK_DIR", "data/spark")),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """Settings with the given fields replaced; None values keep the current field."""
        given = {key: value for key, value in changes.items() if value is not None}
        for key in ("raw_dir", "warehouse_path", "serving_dir", "target_path", "spark_dir"):
            if key in given:
                given[key] = _path(str(given[key]))
        return replace(self, **given)

    def environment(self) -> dict[str, str]:
        """Variables that dbt's profile and sources read, as absolute paths."""
        return {
            "RW_RAW_DIR": str(self.raw_dir),
            "RW_WAREHOUSE_PATH": str(self.warehouse_path),
            "RW_SERVING_DIR": str(self.serving_dir),
            "DBT_TARGET_PATH": str(self.target_path),
            "RW_TARGET": self.target,
            "RW_SPARK_DIR": str(self.spark_dir),
            # A local Spark driver binds to loopback unless the user chose an address.
            "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
        }

    def export(self) -> None:
        """Make these settings the process environment, for in-process dbt and child processes."""
        os.environ.update(self.environment())
