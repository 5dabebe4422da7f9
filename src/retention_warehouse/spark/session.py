"""A SparkSession configured exactly like dbt-spark's `session` method, from the dbt profile.

dbt-spark keeps its SparkSession alive in the process after a dbt invocation, and `getOrCreate`
hands that same session to the Python steps; in a fresh process the same configuration (warehouse
directory, Derby metastore) opens the catalog dbt wrote. The profile is the single place that
configuration is written down.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from retention_warehouse.settings import PROFILES_DIR, Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PROFILE_NAME = "retention_warehouse"


class SparkSetupError(RuntimeError):
    """The Spark target cannot be used from Python as configured."""


def target_profile(settings: Settings) -> dict:
    """The rendered profile output of `settings.target` (env vars from `settings` applied)."""
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    # dbt's env_var() reads the invocation context; the process environment stays untouched.
    set_invocation_context({**os.environ, **settings.environment()})
    raw_profiles = read_profile(str(PROFILES_DIR))
    _, profile = Profile.render_profile(
        raw_profiles[PROFILE_NAME], PROFILE_NAME, settings.target, ProfileRenderer({})
    )
    return profile


def _session_parameters(settings: Settings) -> dict[str, str]:
    from dbt.adapters.spark.connections import SparkCredentials

    profile = target_profile(settings)
    if profile["type"] != "spark" or profile.get("method") != "session":
        raise SparkSetupError(f"target '{settings.target}' is not a Spark target with the session method")
    fields = {key: value for key, value in profile.items() if key not in ("type", "threads")}
    # SparkCredentials adds what dbt-spark always sets (ANSI mode off), so SQL behaves as in dbt.
    return SparkCredentials.from_dict(fields).server_side_parameters


def _local_path(location: str) -> str:
    """A warehouse location as Spark reports it (`file:/x`) or as configured (`/x`), comparable."""
    return str(Path(location.removeprefix("file:")).resolve()) if location.startswith(("/", "file:")) else location


def spark_session(settings: Settings) -> SparkSession:
    """The process's SparkSession for `settings`, created with the profile's parameters if needed.

    Static settings such as the warehouse directory cannot change once a session runs, so asking
    for another directory in the same process is an error rather than a silent switch."""
    from pyspark.sql import SparkSession

    parameters = _session_parameters(settings)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in parameters.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    wanted = parameters.get("spark.sql.warehouse.dir")
    current = session.conf.get("spark.sql.warehouse.dir")
    if wanted and _local_path(current) != _local_path(wanted):
        raise SparkSetupError(
            f"this process already runs Spark with warehouse {current}; {wanted} needs a new process"
        )
    return session
