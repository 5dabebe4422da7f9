"""The Spark session of the Python steps is configured from the dbt profile (no JVM started here)."""

from __future__ import annotations

import pytest

from retention_warehouse.settings import Settings
from retention_warehouse.spark import session


@pytest.fixture()
def spark_settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.chdir(tmp_path)  # relative paths must not depend on the working directory
    return Settings.from_env().with_overrides(target="spark", spark_dir="relative/spark")


def test_spark_paths_are_absolute_and_under_rw_spark_dir(spark_settings):
    spark_dir = spark_settings.spark_dir
    assert spark_dir.is_absolute()
    parameters = session._session_parameters(spark_settings)
    assert parameters["spark.sql.warehouse.dir"] == f"{spark_dir}/warehouse"
    assert parameters["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true"
    )


def test_session_runs_like_dbt_spark(spark_settings):
    parameters = session._session_parameters(spark_settings)
    # dbt-spark turns ANSI mode off; the models' date logic assumes a UTC session.
    assert parameters["spark.sql.ansi.enabled"] == "false"
    assert parameters["spark.sql.session.timeZone"] == "UTC"


def test_session_follows_the_profiles_environment_variables(spark_settings, monkeypatch):
    """The Python steps' session is the one dbt's profile describes, not a copy of its defaults."""
    monkeypatch.setenv("RW_SPARK_MASTER", "local[3]")
    monkeypatch.setenv("RW_SPARK_SHUFFLE_PARTITIONS", "7")
    monkeypatch.setenv("RW_SPARK_DRIVER_MEMORY", "3g")
    parameters = session._session_parameters(spark_settings)
    assert parameters["spark.master"] == "local[3]"
    assert parameters["spark.sql.shuffle.partitions"] == "7"
    assert parameters["spark.driver.memory"] == "3g"


@pytest.mark.parametrize("target", ["duckdb", "spark_thrift"])
def test_python_steps_need_a_spark_session_target(spark_settings, target):
    with pytest.raises(session.SparkSetupError, match=target):
        session._session_parameters(spark_settings.with_overrides(target=target))
