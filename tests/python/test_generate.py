"""Generator: determinism, scale, contract, consistency, bad rows and the BG/NBD process.

Expectations are computed here from the written files (DuckDB SQL) or from closed forms, never by
calling the generator's own helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.special import hyp2f1

from retention_warehouse.cli import main
from retention_warehouse.generate import append_days, generate
from retention_warehouse.importer import import_orders
from retention_warehouse.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
TS = "%Y-%m-%d %H:%M:%S"
START, END = "2023-01-01 00:00:00", "2026-01-01 00:00:00"  # defaults: 3 years from 2023-01-01

CONTRACT = {  # docs/architecture.md, landing zone
    "customers": "customer_id string, signup_at string, country string, acquisition_channel string",
    "products": "product_id string, product_name string, category string, unit_cost double, list_price double",
    "orders": "order_id string, customer_id string, ordered_at string, status string, currency string, "
    "gross_amount double, discount_amount double, platform string",
    "order_items": "order_item_id string, order_id string, product_id string, quantity int64, unit_price double",
    "marketing_spend": "spend_date string, channel string, currency string, spend_amount double",
    "survey_responses": "response_id string, customer_id string, responded_at string, nps_score int64, "
    "csat_score int64, cancellation_reason string",
    "experiment_assignments": "assignment_id string, experiment_id string, customer_id string, variant string, "
    "assigned_at string",
}


def landing(raw: Path, end: str = END) -> duckdb.DuckDBPyConnection:
    """Views over a landing folder, read the way the dbt sources read it (plus each row's file)."""
    con = duckdb.connect()
    for table in CONTRACT:
        glob = "*/*.parquet" if table in ("orders", "order_items") else "*.parquet"
        con.execute(
            f"create view {table} as select * from read_parquet('{raw}/{table}/{glob}', filename = true, "
            f"hive_partitioning = {str(table in ('orders', 'order_items')).lower()}, hive_types_autocast = false)"
        )
    with (PROJECT / "seeds" / "fx_rates.csv").open() as handle:
        codes = [row["currency_code"] for row in csv.DictReader(handle)]
    con.execute("create table fx as select unnest(?::varchar[]) as currency_code", [codes])
    # Clean orders, identified from the data alone: unique order_id, known customer, parseable
    # in-window time, positive amount, known currency.
    con.execute(f"""
        create view clean_orders as
        select o.* from orders o
        where o.order_id in (select order_id from orders group by 1 having count(*) = 1)
          and o.customer_id in (select customer_id from customers)
          and try_strptime(o.ordered_at, '{TS}') >= timestamp '{START}'
          and try_strptime(o.ordered_at, '{TS}') < timestamp '{end}'
          and o.gross_amount > 0
          and o.currency in (select currency_code from fx)
    """)
    return con


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    raw = tmp_path_factory.mktemp("gen_2k")
    return raw, generate(raw, orders=2_000, seed=42)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    raw = tmp_path_factory.mktemp("gen_20k")
    return raw, generate(raw, orders=20_000, seed=7)


def digests(raw: Path) -> dict[str, str]:
    files = sorted(p for p in raw.rglob("*") if p.is_file())
    return {str(p.relative_to(raw)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_same_seed_same_files_other_seed_other_files(tmp_path, small):
    raw, _ = small
    again = tmp_path / "again"
    generate(again, orders=2_000, seed=42)
    assert digests(again) == digests(raw)

    other = tmp_path / "other"
    generate(other, orders=2_000, seed=43)
    a, b = digests(raw), digests(other)
    orders_a = {k: v for k, v in a.items() if k.startswith("orders/")}
    orders_b = {k: v for k, v in b.items() if k.startswith("orders/")}
    assert orders_a != orders_b
    assert a["customers/part-00000.parquet"] != b["customers/part-00000.parquet"]


@pytest.mark.parametrize("fixture", ["small", "medium"])
def test_row_counts_near_target_and_recorded(fixture, request):
    raw, params = request.getfixturevalue(fixture)
    target = params["scale"]["orders_requested"]
    con = landing(raw)
    clean = con.execute("select count(*) from clean_orders").fetchone()[0]
    assert abs(clean - target) / target < 0.05
    for table in CONTRACT:
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == params["row_counts"][table], table


def test_files_follow_the_contract(small):
    raw, _ = small
    for table, spec in CONTRACT.items():
        expected = [tuple(col.split()) for col in spec.split(", ")]
        files = sorted((raw / table).rglob("*.parquet"))
        assert files, table
        for path in files:
            schema = pq.read_schema(path)
            assert [(f.name, str(f.type)) for f in schema] == expected, path
    months = sorted(p.name for p in (raw / "orders").iterdir())
    assert all(m.startswith("order_month=") for m in months)
    assert sorted(p.name for p in (raw / "order_items").iterdir()) == months


def test_partition_matches_ordered_at_and_window(medium):
    raw, params = medium
    con = landing(raw)
    wrong = con.execute(
        f"select count(*) from clean_orders where strftime(strptime(ordered_at, '{TS}'), '%Y-%m') <> order_month"
    ).fetchone()[0]
    assert wrong == 0
    # Every order row is either clean or one of the recorded bad rows (none outside the window).
    total, clean = con.execute("select (select count(*) from orders), (select count(*) from clean_orders)").fetchone()
    recorded_bad = sum(params["bad_rows"]["orders"].values())
    # An exact or conflicting duplicate removes its source row from clean_orders as well.
    bad_orders = params["bad_rows"]["orders"]
    dup_sources = bad_orders["exact_duplicate"] + bad_orders["conflicting_duplicate"]
    assert total - clean == recorded_bad + dup_sources
    assert params["window"]["start"] == START and params["window"]["end_exclusive"] == END


def test_statuses_platforms_currencies(medium):
    raw, _ = medium
    con = landing(raw)
    share_sql = "select status, count(*) / sum(count(*)) over () from clean_orders group by 1"
    shares = dict(con.execute(share_sql).fetchall())
    assert set(shares) == {"completed", "cancelled", "returned"}
    assert shares["cancelled"] == pytest.approx(0.04, abs=0.01)
    assert shares["returned"] == pytest.approx(0.06, abs=0.012)
    platforms = {r[0] for r in con.execute("select distinct platform from orders").fetchall()}
    assert platforms == {"web", "app", "mobile_web"}
    # Currency follows the customer's country.
    mismatched = con.execute("""
        select count(*)
        from clean_orders o join (select distinct customer_id, country from customers) c using (customer_id)
        where o.currency <> case c.country when 'US' then 'USD' when 'GB' then 'GBP' when 'DE' then 'EUR'
              when 'FR' then 'EUR' when 'CA' then 'CAD' when 'AU' then 'AUD' end
          and customer_id in (select customer_id from customers group by 1 having count(*) = 1)
    """).fetchone()[0]
    assert mismatched == 0
    discounted = con.execute(
        "select avg((discount_amount > 0)::int), max(discount_amount / gross_amount) from clean_orders"
    ).fetchone()
    assert 0.15 < discounted[0] < 0.35 and discounted[1] <= 0.2 + 0.01


def test_gross_is_exact_sum_of_items(medium):
    raw, _ = medium
    con = landing(raw)
    rows = con.execute("""
        select o.order_id, o.gross_amount, sum(i.quantity * i.unit_price) as items, count(i.order_id) as n_items
        from clean_orders o left join order_items i on i.order_id = o.order_id and i.quantity > 0
        group by 1, 2
    """).fetchall()
    assert rows
    assert all(n >= 1 for _, _, _, n in rows), "every clean order has item lines"
    assert all(n <= 4 for _, _, _, n in rows)
    bad = [(oid, g, s) for oid, g, s, _ in rows if round(s * 100) != round(g * 100)]
    assert bad == []
    # Amounts are whole cents.
    off_cent = "select count(*) from order_items where abs(unit_price * 100 - round(unit_price * 100)) > 1e-6"
    assert con.execute(off_cent).fetchone()[0] == 0


def observed_bad_rows(con: duckdb.DuckDBPyConnection) -> dict:
    """Bad rows of each kind, found in the data alone."""
    q = lambda sql: con.execute(sql).fetchone()[0]
    return {
        "orders": {
            "null_customer_id": q("select count(*) from orders where customer_id is null"),
            "unknown_customer_id": q(
                "select count(*) from orders where customer_id not in (select customer_id from customers)"
            ),
            "unparseable_ordered_at": q(f"select count(*) from orders where try_strptime(ordered_at, '{TS}') is null"),
            "future_ordered_at": q(f"select count(*) from orders where year(try_strptime(ordered_at, '{TS}')) >= 2099"),
            "negative_gross_amount": q("select count(*) from orders where gross_amount < 0"),
            "unknown_currency": q("select count(*) from orders where currency not in (select currency_code from fx)"),
            "exact_duplicate": q(
                "select coalesce(sum(n - 1), 0) from (select count(*) as n from orders "
                "group by order_id, customer_id, ordered_at, status, currency, gross_amount, discount_amount, platform)"
            ),
            "conflicting_duplicate": q(
                "select coalesce(sum(n - 1), 0) from (select order_id, count(distinct (customer_id, ordered_at, status,"
                " currency, gross_amount, discount_amount, platform)) as n from orders group by 1)"
            ),
        },
        "customers": {
            "duplicate_customer_id": q("select count(*) - count(distinct customer_id) from customers"),
        },
        "order_items": {
            "unknown_order_id": q(
                "select count(*) from order_items where order_id not in (select order_id from orders)"
            ),
            "negative_quantity": q("select count(*) from order_items where quantity < 0"),
        },
    }


def test_bad_rows_present_and_counted(medium):
    raw, params = medium
    observed = observed_bad_rows(landing(raw))
    assert observed == params["bad_rows"]
    assert all(n >= 1 for kinds in observed.values() for n in kinds.values())
    total_bad = sum(n for kinds in observed.values() for n in kinds.values())
    assert total_bad == pytest.approx(0.002 * 20_000, rel=0.5)


def test_other_tables_are_consistent(medium):
    raw, _params = medium
    con = landing(raw)
    # Sign-up happens 0-3 days before the first order (of any status; bad rows copy real times).
    gaps = con.execute(f"""
        select min(gap), max(gap) from (
            select c.customer_id, epoch(min(try_strptime(o.ordered_at, '{TS}')) - strptime(c.signup_at, '{TS}')) as gap
            from customers c join orders o using (customer_id)
            where c.customer_id in (select customer_id from customers group by 1 having count(*) = 1)
              and try_strptime(o.ordered_at, '{TS}') < timestamp '{END}'
            group by c.customer_id, c.signup_at)
    """).fetchone()
    assert 0 <= gaps[0] and gaps[1] <= 3 * 86400
    survey = con.execute("""
        select min(responded_at), max(responded_at), min(nps_score), max(nps_score), min(csat_score), max(csat_score),
               count(*) filter (where nps_score is null and csat_score is null and cancellation_reason is null),
               count(*) filter (where customer_id not in (select customer_id from customers))
        from survey_responses
    """).fetchone()
    assert START <= survey[0] and survey[1] < END
    assert 0 <= survey[2] and survey[3] <= 10 and 1 <= survey[4] and survey[5] <= 5
    assert survey[6] == 0 and survey[7] == 0
    reasons = dict(con.execute(
        "select cancellation_reason, count(*) from survey_responses where cancellation_reason is not null group by 1"
    ).fetchall())
    assert set(reasons) == {"feels_unvalued", "product_dissatisfaction", "price", "other"}
    assert reasons["feels_unvalued"] / sum(reasons.values()) == pytest.approx(0.68, abs=0.08)
    leavers, stayers = con.execute(
        "select avg(nps_score) filter (where cancellation_reason is not null), "
        "avg(nps_score) filter (where cancellation_reason is null) from survey_responses"
    ).fetchone()
    assert leavers < stayers - 1

    spend = dict(con.execute("""
        select s.channel, sum(s.spend_amount) / (select count(distinct customer_id) from customers c
                                                  where c.acquisition_channel = s.channel)
        from marketing_spend s group by 1
    """).fetchall())
    assert set(spend) == {"paid_search", "paid_social", "affiliate", "email"}
    assert all(15 < cac < 90 for cac in spend.values()), spend
    days = con.execute(
        "select count(distinct spend_date), count(*), min(spend_date), max(spend_date) from marketing_spend"
    ).fetchone()
    assert days == (1096, 1096 * 4, "2023-01-01", "2025-12-31")


def test_experiment_recorded(medium):
    raw, params = medium
    exp = params["experiment"]
    con = landing(raw)
    arms = dict(con.execute("select variant, count(*) from experiment_assignments group by 1").fetchall())
    assert arms == {"control": exp["n_control"], "treatment": exp["n_treatment"]}
    ids, at = con.execute("select distinct experiment_id, assigned_at from experiment_assignments").fetchall()[0]
    assert (ids, at) == (exp["experiment_id"], exp["assigned_at"])
    assert ids == "winback_2025"
    assert "2025-01-01" <= at < "2025-10-01"
    assert con.execute("select count(*) - count(distinct customer_id) from experiment_assignments").fetchone()[0] == 0
    uplift, n_treat, added = exp["true_uplift"], exp["n_treatment"], exp["extra_orders_added"]
    # Only added orders can turn a treated non-buyer into a buyer.
    assert 0 <= uplift["30"] <= uplift["60"] <= uplift["90"] <= added / n_treat
    design = exp["design_uplift"]
    assert abs(added / n_treat - design) < 4 * np.sqrt(design * (1 - design) / n_treat)


def bgnbd_expected_repeats(t, r, alpha, a, b):
    """FHL (2005) eq. 9, written out independently of the generator."""
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))


def test_repeat_purchases_match_bgnbd_expectation(tmp_path):
    """~20k customers: mean repeat completed orders vs the closed-form E[X(T)] for each customer's T.

    Tolerance: 4 standard errors of the sample mean (about 5% of the mean), overall and within each
    third of customers by T. The generator's seasonal time-warp shifts T by at most ~1 week and the
    win-back orders add ~0.1% orders, both far inside that band.
    """
    params = generate(tmp_path, orders=69_000, seed=2024, bad_row_rate=0.0)
    bg = params["bgnbd"]
    frame = landing(tmp_path).execute(f"""
        select count(*) - 1 as x,
               epoch(timestamp '{END}' - min(strptime(ordered_at, '{TS}'))) / (7 * 86400.0) as t_weeks
        from orders where status = 'completed' group by customer_id
    """).df()
    x, t = frame["x"].to_numpy(float), frame["t_weeks"].to_numpy(float)
    assert 18_000 < len(x) < 22_000
    expected = bgnbd_expected_repeats(t, bg["r"], bg["alpha"], bg["a"], bg["b"])
    cuts = np.quantile(t, [0, 1 / 3, 2 / 3, 1]) + [0, 0, 0, 1e-9]
    groups = [np.ones(len(t), bool)] + [(t >= lo) & (t < hi) for lo, hi in itertools.pairwise(cuts)]
    for group in groups:
        se = x[group].std(ddof=1) / np.sqrt(group.sum())
        assert abs(x[group].mean() - expected[group].mean()) < 4 * se, (x[group].mean(), expected[group].mean(), se)


# generate --append-days ------------------------------------------------------------------------

APPEND_DAYS = 30
APPEND_START, APPEND_END = "2026-01-01 00:00:00", "2026-01-31 00:00:00"  # the 30 days after END
APPENDED = "part-append-2026-01-01-00000.parquet"
PARAMS = "_generator_params.json"
BAD_ROW_RATE = 0.02  # high enough for a sharp rate check on 30 appended days


@pytest.fixture(scope="module")
def base_100k(tmp_path_factory):
    raw = tmp_path_factory.mktemp("base_100k") / "raw"
    generate(raw, orders=100_000, seed=11, bad_row_rate=BAD_ROW_RATE)
    return raw, digests(raw)


def appended_copy(base: Path, target: Path, *days: int, seed: int | None = None) -> list[dict]:
    shutil.copytree(base, target)
    return [append_days(target, n, seed=seed) for n in days]


@pytest.fixture(scope="module")
def appended(base_100k, tmp_path_factory):
    raw = tmp_path_factory.mktemp("appended") / "raw"
    (entry,) = appended_copy(base_100k[0], raw, APPEND_DAYS)
    return raw, entry


def appended_rows(raw: Path, table: str) -> list[tuple]:
    return duckdb.sql(f"select * from read_parquet('{raw}/{table}/**/part-append-*.parquet') order by all").fetchall()


def test_append_writes_new_files_only(base_100k, appended):
    _base, before = base_100k
    raw, _ = appended
    after = digests(raw)
    assert {k: after[k] for k in before if k != PARAMS} == {k: v for k, v in before.items() if k != PARAMS}
    new_files = {f"{t}/{APPENDED}" for t in ("customers", "marketing_spend", "survey_responses")}
    new_files |= {f"{t}/order_month=2026-01/{APPENDED}" for t in ("orders", "order_items")}
    assert set(after) - set(before) == new_files  # no temp files, nothing for products or assignments
    params = json.loads((raw / PARAMS).read_text())
    assert params["landed_until"] == APPEND_END
    assert [(a["first_day"], a["days"], a["order_months"]) for a in params["appends"]] == [("2026-01-01", 30, ["2026-01"])]
    con = landing(raw, end=APPEND_END)
    for table in CONTRACT:  # the folder-wide counts include the appended rows
        assert con.execute(f"select count(*) from {table}").fetchone()[0] == params["row_counts"][table], table


def test_appended_rows_fall_in_the_new_days(appended):
    raw, _ = appended
    con = landing(raw, end=APPEND_END)
    new = "filename like '%part-append-%'"
    assert con.execute(f"select max(ordered_at) from clean_orders where not {new}").fetchone()[0] < APPEND_START
    first, last = con.execute(f"select min(ordered_at), max(ordered_at) from clean_orders where {new}").fetchone()
    assert APPEND_START <= first and last < APPEND_END
    # Appended rows that are not clean are the bad rows (2099 or unparseable times), none elsewhere.
    stray = con.execute(f"""select count(*) from orders where {new} and year(try_strptime(ordered_at, '{TS}')) < 2099
        and not (ordered_at >= '{APPEND_START}' and ordered_at < '{APPEND_END}')""").fetchone()[0]
    assert stray == 0
    answered = con.execute(f"select min(responded_at), max(responded_at) from survey_responses where {new}").fetchone()
    assert APPEND_START <= answered[0] and answered[1] < APPEND_END
    spend = con.execute(f"select count(*), count(distinct spend_date), min(spend_date), max(spend_date) "
                        f"from marketing_spend where {new}").fetchone()  # fmt: skip
    assert spend == (30 * 4, 30, "2026-01-01", "2026-01-30")
    # New customers first order inside the new days, 0-3 days after signing up.
    firsts = con.execute(f"""select min(o.first), max(o.first), max(epoch(strptime(o.first, '{TS}') - strptime(c.signup_at, '{TS}')))
        from customers c join (select customer_id, min(ordered_at) as first from clean_orders group by 1) o using (customer_id)
        where c.{new}""").fetchone()  # fmt: skip
    assert APPEND_START <= firsts[0] and firsts[1] < APPEND_END and firsts[2] <= 3 * 86400


def test_append_ids_continue_without_collisions(appended):
    raw, _ = appended
    params = json.loads((raw / PARAMS).read_text())
    con = landing(raw, end=APPEND_END)
    q = lambda sql: con.execute(sql).fetchone()[0]
    bad = params["bad_rows"]
    assert q("select count(*) - count(distinct order_id) from orders") == (
        bad["orders"]["exact_duplicate"] + bad["orders"]["conflicting_duplicate"]
    )
    assert q("select count(*) - count(distinct customer_id) from customers") == bad["customers"]["duplicate_customer_id"]
    for table, key in (("order_items", "order_item_id"), ("survey_responses", "response_id")):
        assert q(f"select count(*) - count(distinct {key}) from {table}") == 0
    # Existing customers keep buying next to the new ones.
    old, new = con.execute("""select count(*) filter (where not c.filename like '%part-append-%'),
               count(*) filter (where c.filename like '%part-append-%')
        from clean_orders o join (select distinct customer_id, filename from customers) c using (customer_id)
        where o.filename like '%part-append-%'""").fetchone()
    assert old > 0 and new > 0


def test_append_is_deterministic_and_independent_of_the_split(base_100k, appended, tmp_path):
    base, _ = base_100k
    raw, _ = appended
    appended_copy(base, tmp_path / "again", APPEND_DAYS)
    assert digests(tmp_path / "again") == digests(raw)
    appended_copy(base, tmp_path / "split", 12, 18)
    for table in ("customers", "orders", "order_items", "marketing_spend", "survey_responses"):
        assert appended_rows(tmp_path / "split", table) == appended_rows(raw, table), table
    appended_copy(base, tmp_path / "other", APPEND_DAYS, seed=12)
    assert appended_rows(tmp_path / "other", "orders") != appended_rows(raw, "orders")


def acquisition_weight(seasonality: dict, days: np.ndarray) -> np.ndarray:
    """The acquisition curve of the recorded seasonality, on days since 2023-01-01."""
    peak = (dt.date(1970, *seasonality["peak_month_day"]) - dt.date(1970, 1, 1)).days
    since_epoch = (dt.date(2023, 1, 1) - dt.date(1970, 1, 1)).days + days
    growth = (1 + seasonality["acquisition_growth_per_year"]) ** (days / 365.2425)
    return growth * (1 + seasonality["acquisition_amplitude"] * np.cos(2 * np.pi * (since_epoch - peak) / 365.2425))


def test_appended_days_continue_the_recent_rates(appended):
    """30 appended days of a 100k-order landing (~230 orders a day).

    Completed orders: appended vs the base's last 30 days within 15%: 4 standard deviations of the
    difference of two ~6,000-order counts are ~9% (customers with several orders widen Poisson
    noise by ~1.2x), and December -> January moves the seasonal curves by up to ~5%.
    New customers: the recorded acquisition curve continued past the window, times the base's
    customers per unit of curve; 4 Poisson standard deviations.
    """
    raw, _entry = appended
    params = json.loads((raw / PARAMS).read_text())
    con = landing(raw, end=APPEND_END)
    recent, new = con.execute("""select count(*) filter (where ordered_at >= '2025-12-02' and ordered_at < '2026-01-01'),
               count(*) filter (where filename like '%part-append-%')
        from clean_orders where status = 'completed'""").fetchone()
    assert abs(new / recent - 1) < 0.15, (new, recent)

    base_days = np.arange(1096.0)
    expected = params["scale"]["customers"] * (
        acquisition_weight(params["seasonality"], base_days[-1] + 1 + np.arange(30.0)).sum()
        / acquisition_weight(params["seasonality"], base_days).sum()
    )
    arrived = con.execute("select count(distinct customer_id) from customers where filename like '%part-append-%'")
    assert abs(arrived.fetchone()[0] - expected) < 4 * np.sqrt(expected)

    shares = dict(con.execute("""select status, count(*) / sum(count(*)) over () from clean_orders
        where filename like '%part-append-%' group by 1""").fetchall())
    assert shares["cancelled"] == pytest.approx(0.04, abs=0.01)
    assert shares["returned"] == pytest.approx(0.06, abs=0.012)
    # Repeat orders (customer ordered before) make up the same share as at the end of the base.
    repeat = dict(con.execute("""select filename like '%part-append-%', avg((o.ordered_at > f.first)::int)
        from clean_orders o join (select customer_id, min(ordered_at) as first from clean_orders group by 1) f
             using (customer_id)
        where o.status = 'completed' and o.ordered_at >= '2025-12-02' group by 1""").fetchall())
    assert repeat[True] == pytest.approx(repeat[False], abs=0.05)


def test_append_injects_bad_rows_at_the_configured_rate(base_100k, appended):
    """Observed bad rows (data alone) match the records; their number is Poisson(rate x orders)."""
    raw, entry = appended
    params = json.loads((raw / PARAMS).read_text())
    before = observed_bad_rows(landing(base_100k[0]))
    after = observed_bad_rows(landing(raw, end=APPEND_END))
    assert after == params["bad_rows"]
    added = {t: {kind: n - before[t][kind] for kind, n in kinds.items()} for t, kinds in after.items()}
    assert added == entry["bad_rows"]
    total = sum(n for kinds in added.values() for n in kinds.values())
    expected = BAD_ROW_RATE * entry["clean_row_counts"]["orders"]
    assert abs(total - expected) < 4 * np.sqrt(expected), (total, expected)


def test_append_needs_a_generated_landing(tmp_path):
    with pytest.raises(ValueError, match="no generated landing"):
        append_days(tmp_path / "empty", 1)
    src = tmp_path / "orders.csv"
    src.write_text("customer_id,order_date,amount\nc1,2024-01-05,10.5\nc2,2024-02-01,20\n")
    import_orders(src, tmp_path / "imported")
    with pytest.raises(ValueError, match="no generated landing"):
        append_days(tmp_path / "imported", 1)
    (tmp_path / "imported" / PARAMS).write_text('{"generator": "someone else"}')
    with pytest.raises(ValueError, match="not written by `retention-warehouse generate`"):
        append_days(tmp_path / "imported", 1)


def test_cli_appends_and_prints_a_summary(base_100k, tmp_path, monkeypatch, capsys):
    for key in Settings.from_env().environment():  # the CLI exports its settings; restore them after
        monkeypatch.delenv(key, raising=False)
    raw = tmp_path / "raw"
    shutil.copytree(base_100k[0], raw)
    assert main(["--raw-dir", str(raw), "generate", "--append-days", "2"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["--raw-dir", str(raw), "generate", "--append-days", "1"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert (first["first_day"], first["days"], first["seed"]) == ("2026-01-01", 2, 11)
    assert (second["first_day"], second["end_exclusive"]) == ("2026-01-03", "2026-01-04 00:00:00")
    assert first["orders"] == sum(1 for _ in appended_rows(raw, "orders")) - second["orders"]
