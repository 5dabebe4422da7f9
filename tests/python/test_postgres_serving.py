"""PostgreSQL serving against a real local server: every mart loads with its types, comments and
build info; a BI session reading during a publish sees one whole version per query and never
blocks it; the reader role can read the served marts and nothing else."""

from __future__ import annotations

import json
import threading

import duckdb
import psycopg
import pytest
import sqlalchemy
from conftest import customers_build, stage_customers

from retention_warehouse.orchestration import marts, postgres, publish
from retention_warehouse.orchestration.postgres_server import local_server

# The contracts' engine-neutral types as each served copy shows them.
DUCKDB_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER", "double": "DOUBLE", "date": "DATE",
                "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "decimal(18,2)": "DECIMAL(18,2)"}
POSTGRES_TYPES = {"string": "text", "bigint": "bigint", "int": "integer", "double": "double precision", "date": "date",
                  "boolean": "boolean", "timestamp": "timestamp without time zone", "decimal(18,2)": "numeric(18,2)"}
READER = "bi_reader"
READER_PASSWORD = "reader-test-only"


@pytest.fixture(scope="module")
def server():
    with local_server() as running:
        yield running


@pytest.fixture()
def target(server, monkeypatch):
    monkeypatch.setenv("RW_PG_READER_PASSWORD", READER_PASSWORD)
    yield postgres.PostgresTarget(server.dsn())
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        for (schema,) in admin.execute("select nspname from pg_namespace where nspname like 'marts%'").fetchall():
            admin.execute(f'drop schema "{schema}" cascade')


def reader(server) -> psycopg.Connection:
    return psycopg.connect(server.dsn(user=READER, password=READER_PASSWORD))


def _stage_customers(tmp_path, serving, rows: int) -> publish.StagedVersion:
    with customers_build(tmp_path / "build.duckdb", [(f"c{i}", i) for i in range(rows)]) as build:
        return stage_customers(build, serving, {"raw_fingerprint": f"fp{rows}", "as_of_date": "2025-12-31"})


def _publish(target, staged) -> None:
    postgres.load_version(target, staged.path / publish.DUCKDB_FILE, staged.version, staged.row_counts)
    postgres.switch(target, staged.version)


def test_every_mart_loads_with_its_rows_types_comments_and_build_info(demo_warehouse, target, server, tmp_path):
    built = marts.discover_marts(demo_warehouse)
    with marts.open_marts(demo_warehouse) as connection:
        staged = publish.stage(connection, built, tmp_path / "serving", {"raw_fingerprint": "demo", "as_of_date": "2025-12-31"})
    _publish(target, staged)

    with reader(server) as bi, duckdb.connect(str(staged.path / publish.DUCKDB_FILE), read_only=True) as served:
        for mart in built:
            assert bi.execute(f"select count(*) from marts.{mart.name}").fetchone()[0] == staged.row_counts[mart.name]
        churn = "fct_customer_churn_risk"
        assert bi.execute(f"select sum(churn_probability), count(distinct risk_segment) from marts.{churn}").fetchone() == \
            pytest.approx(served.execute(f"select sum(churn_probability), count(distinct risk_segment) from {churn}").fetchone())
        comments = bi.execute(
            "select count(*) filter (where obj_description(c.oid) is not null), count(*) from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'marts' and c.relkind = 'r'"
        ).fetchone()
        assert comments == (len(built) + 1, len(built) + 1)  # every mart and _build_info
        described = bi.execute(
            "select count(*) filter (where col_description(a.attrelid, a.attnum) is not null), count(*) "
            "from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'marts' and c.relname not like '\\_%' and a.attnum > 0 and not a.attisdropped"
        ).fetchone()
        assert described[0] == described[1] > 100, "every served column carries its dbt description"
        version, fingerprint, as_of = bi.execute("select version, raw_fingerprint, as_of_date from marts._build_info").fetchone()
        assert (version, fingerprint, str(as_of)) == (staged.version, "demo", "2025-12-31")
        declared = _declared_types(demo_warehouse)
        served = {(table, column): kind for table, column, kind in served.execute(
            "select table_name, column_name, data_type from duckdb_columns() "
            "where not internal and schema_name = 'main' and table_name not like '\\_%' escape '\\'"
        ).fetchall()}
        in_postgres = {(table, column): kind for table, column, kind in bi.execute(
            "select table_name, column_name, case when data_type = 'numeric' "
            "then format('numeric(%s,%s)', numeric_precision, numeric_scale) else data_type end "
            "from information_schema.columns where table_schema = 'marts' and table_name not like '\\_%'"
        ).fetchall()}
    assert len(declared) > 250
    assert served == {key: DUCKDB_TYPES[kind] for key, kind in declared.items()}
    assert in_postgres == {key: POSTGRES_TYPES[kind] for key, kind in declared.items()}


def _declared_types(settings) -> dict[tuple[str, str], str]:
    """(mart, column) -> the data_type its YAML declares (and its enforced contract checks)."""
    manifest = json.loads((settings.target_path / "manifest.json").read_text())
    return {
        (node["name"], column): spec["data_type"]
        for node in manifest["nodes"].values() if node["resource_type"] == "model" and node["fqn"][1] == "marts"
        for column, spec in node["columns"].items()
    }


def test_the_serving_exposure_lists_every_published_mart(demo_warehouse):
    manifest = json.loads((demo_warehouse.target_path / "manifest.json").read_text())
    exposed = manifest["exposures"]["exposure.retention_warehouse.bi_serving"]["depends_on"]["nodes"]
    assert {node.split(".")[-1] for node in exposed} == {mart.name for mart in marts.discover_marts(demo_warehouse)}


def test_a_session_reading_during_a_publish_sees_one_version_per_query_and_never_blocks_it(target, server, tmp_path):
    serving = tmp_path / "serving"
    first = _stage_customers(tmp_path, serving, 1000)
    _publish(target, first)
    expected = {first.version: 1000}

    idle = reader(server)  # a pooled connection left idle in a transaction that has read the marts
    idle.execute("select count(*) from marts.dim_customers").fetchone()
    seen, errors, stop = [], [], threading.Event()

    def poll():
        with reader(server) as bi:
            bi.autocommit = True
            while not stop.is_set():
                try:
                    seen.append(bi.execute(
                        "select (select version from marts._build_info), (select count(*) from marts.dim_customers)"
                    ).fetchone())
                except psycopg.Error as error:
                    errors.append(error)

    polling = threading.Thread(target=poll)
    polling.start()
    try:
        second = _stage_customers(tmp_path, serving, 2500)
        expected[second.version] = 2500
        _publish(target, second)
        for _ in range(50):  # the publish returned: keep reading until the new version shows
            if seen and seen[-1][0] == second.version:
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
        polling.join()

    assert not errors
    assert {version for version, _ in seen} == set(expected), "the poller saw both versions"
    assert all(count == expected[version] for version, count in seen), "no query mixed two versions"
    with psycopg.connect(server.dsn()) as admin:
        retired = admin.execute("select nspname from pg_namespace where nspname like 'marts\\_\\_%'").fetchall()
    assert retired == [(f"marts{postgres.RETIRED_MARKER}{second.version.lower()}",)], \
        "the version the idle session still holds is kept"
    idle.rollback()
    idle.close()
    assert postgres.drop_retired(target) == [retired[0][0]]


@pytest.mark.parametrize("statement", [
    "create table marts.mine (x int)",
    "create table public.mine (x int)",
    "create temporary table mine (x int)",
    "create schema mine",
    "insert into marts.dim_customers values ('x', 1)",
    "delete from marts.dim_customers",
    "select pg_read_file('/etc/passwd')",
    "copy marts.dim_customers to '/tmp/rw-stolen.csv'",
    "select * from private.secrets",
])
def test_reader_role_reads_the_marts_and_nothing_else(target, server, tmp_path, statement):
    _publish(target, _stage_customers(tmp_path, tmp_path / "serving", 10))
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute("create schema if not exists private; create table if not exists private.secrets (x int)")
    with reader(server) as bi:
        assert bi.execute("select count(*) from marts.dim_customers").fetchone() == (10,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute(statement)


def test_superset_drivers_read_the_served_version(target, server, tmp_path):
    """SQLAlchemy with psycopg (PostgreSQL) and with duckdb-engine (the file, read-only): the two
    drivers Superset uses, reading the same version and its comments."""
    serving = tmp_path / "serving"
    staged = _stage_customers(tmp_path, serving, 42)
    _publish(target, staged)
    publish.publish(staged, serving)
    engines = {
        "postgres": sqlalchemy.create_engine(
            f"postgresql+psycopg://{READER}:{READER_PASSWORD}@127.0.0.1:{server.port}/warehouse"),
        "duckdb": sqlalchemy.create_engine(f"duckdb:///{serving / publish.DUCKDB_FILE}",
                                           connect_args={"read_only": True}),
    }
    schemas = {"postgres": "marts", "duckdb": "main"}
    for name, engine in engines.items():
        with engine.connect() as connection:
            schema = schemas[name]
            assert connection.execute(sqlalchemy.text(
                f"select (select version from {schema}._build_info), count(*) from {schema}.dim_customers"
            )).one() == (staged.version, 42), name
        inspector = sqlalchemy.inspect(engine)
        assert inspector.get_table_comment("dim_customers", schema=schemas[name])["text"] == "One row per customer.", name
        engine.dispose()
