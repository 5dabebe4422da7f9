"""`retention-warehouse` command line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import warnings
from pathlib import Path

from retention_warehouse.dashboard import DEFAULT_HOST, DEFAULT_PORT
from retention_warehouse.project_vars import parse_vars
from retention_warehouse.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env().with_overrides(
        raw_dir=args.raw_dir, warehouse_path=args.warehouse, target=args.target
    )
    settings.export()
    return settings


def cmd_generate(args: argparse.Namespace) -> int:
    from retention_warehouse.generate import append_days, generate

    settings = _settings(args)
    if args.append_days is not None:
        entry = append_days(settings.raw_dir, args.append_days, seed=args.seed)
        summary = {k: entry[k] for k in ("seed", "first_day", "days", "end_exclusive", "file_name")}
        print(json.dumps({"raw_dir": str(settings.raw_dir), **summary, **entry["row_counts"]}, indent=2))
        return 0
    summary = generate(
        settings.raw_dir, orders=args.orders, seed=42 if args.seed is None else args.seed,
        start_date=args.start_date, years=args.years, bad_row_rate=args.bad_row_rate,
    )
    print(json.dumps({"raw_dir": str(settings.raw_dir), **summary.get("row_counts", {})}, indent=2))
    return 0


def cmd_import_orders(args: argparse.Namespace) -> int:
    from retention_warehouse.importer import OrderColumns, import_orders

    settings = _settings(args)
    columns = OrderColumns(
        customer=args.customer_col, date=args.date_col, amount=args.amount_col, order_id=args.order_id_col,
        quantity=args.quantity_col, status=args.status_col, currency=args.currency_col,
    )
    summary = import_orders(
        Path(args.path), settings.raw_dir, columns=columns, fmt=args.format,
        date_format=args.date_format, currency=args.currency, encoding=args.encoding,
    )
    print(json.dumps({"raw_dir": str(settings.raw_dir), **summary}, indent=2, default=str))
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from retention_warehouse.dbt_runner import run_dbt

    settings = _settings(args)
    if args.select:  # a partial build runs dbt only; the CLV fit needs the full DAG
        refresh = ["--full-refresh"] if args.full_refresh else []
        run_dbt(["build", "--select", args.select, *refresh], settings, parse_vars(args.vars))
    else:
        from retention_warehouse.build import build_models

        build_models(settings, parse_vars(args.vars), full_refresh=args.full_refresh)
    location = settings.warehouse_path if settings.target == "duckdb" else f"target {settings.target}"
    print(f"warehouse: {location} (schemas staging, intermediate, marts)")
    return 0


def cmd_fit_clv(args: argparse.Namespace) -> int:
    from retention_warehouse.clv.step import fit_clv

    print(json.dumps(fit_clv(_settings(args)), indent=2))
    return 0


def cmd_benchmark_clv(args: argparse.Namespace) -> int:
    from retention_warehouse.clv.benchmark import run_benchmark

    run_benchmark(args.customers, seed=args.seed)
    return 0


def cmd_benchmark_build(args: argparse.Namespace) -> int:
    from retention_warehouse.benchmarks.build import run

    ok = run(args.orders, seed=args.seed, data_dir=args.data_dir, repeats=args.repeats,
             report=args.report, skip_incremental=args.skip_incremental, memory_limit=args.memory_limit)
    return 0 if ok else 1


def cmd_benchmark_flow(args: argparse.Namespace) -> int:
    from retention_warehouse.benchmarks.flow import run

    return 0 if run(args.orders, seed=args.seed, work_dir=args.work_dir, repeats=args.repeats) else 1


def cmd_benchmark_dashboard(args: argparse.Namespace) -> int:
    from retention_warehouse.benchmarks.dashboard import run

    settings = _settings(args).with_overrides(serving_dir=args.serving_dir)
    page_times = run(settings.serving_dir, repeats=args.repeats)
    return 0 if max(page_times.values()) <= args.target_seconds else 1


def cmd_run(args: argparse.Namespace) -> int:
    from retention_warehouse.orchestration.run import describe, run_flow

    settings = _settings(args).with_overrides(serving_dir=args.serving_dir)
    if args.pg_dsn:
        os.environ["RW_PG_DSN"] = args.pg_dsn
    if args.orders:
        from retention_warehouse.generate import generate

        generate(settings.raw_dir, orders=args.orders, seed=args.seed)
    result = run_flow(settings, dbt_vars=parse_vars(args.vars), force=args.force,
                      row_count_tolerance=args.row_count_tolerance, wait=args.wait)
    print(describe(result))
    print(f"dashboard:    retention-warehouse dashboard (in the repo: make dashboard), "
          f"then open http://{DEFAULT_HOST}:{DEFAULT_PORT}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from retention_warehouse.orchestration.dbt_docs import write_dbt_docs

    settings = _settings(args).with_overrides(serving_dir=args.serving_dir)
    print(f"dbt docs: {write_dbt_docs(settings, parse_vars(args.vars))}")
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    from retention_warehouse.dashboard.app import create_app

    settings = _settings(args).with_overrides(serving_dir=args.serving_dir)
    print(f"dashboard of {settings.serving_dir} on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    create_app(settings.serving_dir).run(host=args.host, port=args.port, debug=False)
    return 0


def cmd_metrics(args: argparse.Namespace) -> int:
    from retention_warehouse.metrics import run_mf

    print(run_mf(_settings(args), args.mf_args).stdout, end="")
    return 0


def cmd_pg_server(args: argparse.Namespace) -> int:
    from retention_warehouse.orchestration.postgres_server import local_server

    with local_server() as server:
        print("A local PostgreSQL server is running; its folder and data go when this stops (Ctrl-C).\n"
              f"Publish to it from another shell:\n\n    export RW_PG_DSN='{server.dsn()}'\n"
              "    export RW_PG_READER_PASSWORD=<a password for bi_reader>\n    retention-warehouse run --force\n",
              flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    return 0


def cmd_compare_engines(args: argparse.Namespace) -> int:
    from retention_warehouse.compare_engines import compare_engines

    work_dir = Path(args.work_dir) if args.work_dir else None
    results, text = compare_engines(args.orders, args.seed, work_dir)
    print(text)
    return 0 if all(result.equal for result in results) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="retention-warehouse", description=__doc__)
    parser.add_argument("--raw-dir", help="landing folder (env RW_RAW_DIR, default data/raw)")
    parser.add_argument("--warehouse", help="DuckDB build file (env RW_WAREHOUSE_PATH)")
    parser.add_argument("--target", help="dbt target: duckdb (default), spark, spark_thrift")
    commands = parser.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", help="write deterministic demo data to the landing folder")
    gen.add_argument("--orders", type=int, default=20_000, help="approximate number of orders")
    gen.add_argument("--seed", type=int, help="default 42; with --append-days, the landing's seed")
    gen.add_argument("--append-days", type=int, metavar="N",
                     help="land N more days after the last landed day of a generated landing (other options ignored)")
    gen.add_argument("--start-date", default="2023-01-01")
    gen.add_argument("--years", type=int, default=3)
    gen.add_argument("--bad-row-rate", type=float, default=0.002,
                     help="share of injected invalid rows that staging must quarantine")
    gen.set_defaults(handler=cmd_generate)

    imp = commands.add_parser("import-orders", help="land your own orders file (CSV, Parquet, CDNOW)")
    imp.add_argument("path")
    imp.add_argument("--format", default="auto", choices=["auto", "csv", "parquet", "cdnow"])
    imp.add_argument("--customer-col", default="customer_id")
    imp.add_argument("--date-col", default="order_date")
    imp.add_argument("--amount-col", default="amount")
    imp.add_argument("--order-id-col")
    imp.add_argument("--quantity-col")
    imp.add_argument("--status-col")
    imp.add_argument("--currency-col")
    imp.add_argument("--date-format", help="strptime format when dates are not ISO or yyyymmdd")
    imp.add_argument("--currency", default="USD", help="currency when the file has no column")
    imp.add_argument("--encoding", default="utf-8-sig",
                     help="text encoding of CSV and CDNOW files (default UTF-8, with or without BOM; e.g. latin-1)")
    imp.set_defaults(handler=cmd_import_orders)

    build = commands.add_parser("build", help="dbt build (models, seeds, data tests) with the CLV and churn fits")
    build.add_argument("--select", help="dbt node selection")
    build.add_argument("--vars", help='dbt vars as JSON, e.g. \'{"period_grain": "week"}\'')
    build.add_argument("--full-refresh", action="store_true",
                       help="rebuild incremental models from all landed data instead of what is new")
    build.set_defaults(handler=cmd_build)
    fit = commands.add_parser("fit-clv", help="fit BG/NBD + Gamma-Gamma on the built statistics, write scores")
    fit.set_defaults(handler=cmd_fit_clv)
    bench_clv = commands.add_parser("benchmark-clv", help="time the CLV fit + scoring against lifetimes")
    bench_clv.add_argument("--customers", type=int, default=1_000_000)
    bench_clv.add_argument("--seed", type=int, default=1)
    bench_clv.set_defaults(handler=cmd_benchmark_clv)
    run = commands.add_parser("run", help="Prefect flow: validate, build, check and publish the marts")
    run.add_argument("--orders", type=int, help="first generate this many demo orders into the landing folder")
    run.add_argument("--seed", type=int, default=42, help="seed of the generated demo data")
    run.add_argument("--serving-dir", help="where the marts are published (env RW_SERVING_DIR)")
    run.add_argument("--vars", help="dbt vars as JSON")
    run.add_argument("--force", action="store_true", help="build even when no raw file changed")
    run.add_argument("--wait", action="store_true",
                     help="when another run is using the serving folder, wait for it instead of exiting")
    run.add_argument("--row-count-tolerance", type=float,
                     help="allowed relative change of each mart's row count vs the published run (0.5)")
    run.add_argument("--pg-dsn", help="also publish to this PostgreSQL database (env RW_PG_DSN; docs/bi.md)")
    run.set_defaults(handler=cmd_run)
    docs = commands.add_parser("docs", help="write the dbt docs site of the built warehouse to <serving>/dbt_docs/index.html")
    docs.add_argument("--serving-dir", help="serving folder (env RW_SERVING_DIR)")
    docs.add_argument("--vars", help="dbt vars as JSON (those of the build)")
    docs.set_defaults(handler=cmd_docs)
    dash = commands.add_parser("dashboard", help="serve the retention dashboard over the published marts")
    dash.add_argument("--serving-dir", help="serving folder (env RW_SERVING_DIR)")
    dash.add_argument("--host", default=DEFAULT_HOST)
    dash.add_argument("--port", type=int, default=DEFAULT_PORT)
    dash.set_defaults(handler=cmd_dashboard)
    metrics = commands.add_parser(
        "metrics", help="MetricFlow on the built warehouse, e.g. metrics query --metrics retention_rate "
        "--group-by metric_time__month (the arguments of mf)")
    metrics.add_argument("mf_args", nargs=argparse.REMAINDER, help="arguments passed to mf")
    metrics.set_defaults(handler=cmd_metrics)
    pg = commands.add_parser("pg-server", help="start a throwaway local PostgreSQL server to publish to; Ctrl-C stops it")
    pg.set_defaults(handler=cmd_pg_server)
    bench = commands.add_parser(
        "benchmark-build", help="time the full build against a hand-written DuckDB baseline, check equal marts")
    bench.add_argument("--orders", type=int, nargs="+", default=[1_000_000, 10_000_000],
                       help="order counts to benchmark (default 1000000 10000000)")
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--data-dir", default="data/bench",
                       help="data for N orders: <data-dir>/orders-<N>-seed-<S>/raw, generated if missing")
    bench.add_argument("--repeats", type=int, default=1, help="build/baseline pairs per size; medians reported")
    bench.add_argument("--report", default="data/bench/report.json", help="JSON report path")
    bench.add_argument("--skip-incremental", action="store_true", help="skip the one-more-day incremental build")
    bench.add_argument("--memory-limit", default="50%", help="DuckDB memory limit of both (default 50%%, as the profile)")
    bench.set_defaults(handler=cmd_benchmark_build)
    bench_flow = commands.add_parser(
        "benchmark-flow", help="time `run` (the Prefect flow) against a plain `build` on the same data")
    bench_flow.add_argument("--orders", type=int, default=5_000)
    bench_flow.add_argument("--seed", type=int, default=42)
    bench_flow.add_argument("--work-dir", default="data/bench/flow", help="data and runs (relative: to the project)")
    bench_flow.add_argument("--repeats", type=int, default=3, help="build/run pairs; medians reported")
    bench_flow.set_defaults(handler=cmd_benchmark_flow)
    bench_dash = commands.add_parser(
        "benchmark-dashboard", help="time each dashboard page in headless Chromium against a bare browser load")
    bench_dash.add_argument("--serving-dir", help="the published version to show (env RW_SERVING_DIR)")
    bench_dash.add_argument("--repeats", type=int, default=3, help="page/baseline pairs per page; medians reported")
    bench_dash.add_argument("--target-seconds", type=float, default=2.0, help="fail when a page takes longer")
    bench_dash.set_defaults(handler=cmd_benchmark_dashboard)
    compare = commands.add_parser("compare-engines", help="build demo data on DuckDB and Spark, compare every mart")
    compare.add_argument("--orders", type=int, default=2_000, help="demo orders (small: Spark pays per node)")
    compare.add_argument("--seed", type=int, default=7)
    compare.add_argument("--work-dir", help="folder for both builds (default: a temporary one, removed after)")
    compare.set_defaults(handler=cmd_compare_engines)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Great Expectations imports pyspark when it is installed; pyspark then warns about pandas 3,
    # which this project only hands to pyspark through Arrow.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except Exception as error:  # one clear line for the user, not a traceback
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        print(f"retention-warehouse {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
