"""Generator: determinism, scale, contract, consistency, bad rows and the BG/NBD process.

Expectations are computed here from the written files (DuckDB SQL) or from closed forms, never by
calling the generator's own helpers.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.special import hyp2f1

from retention_warehouse.generate import generate

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


def landing(raw: Path) -> duckdb.DuckDBPyConnection:
    """Views over a landing folder, read the way the dbt sources read it."""
    con = duckdb.connect()
    for table in CONTRACT:
        glob = "*/*.parquet" if table in ("orders", "order_items") else "*.parquet"
        con.execute(
            f"create view {table} as select * from read_parquet('{raw}/{table}/{glob}', "
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
          and try_strptime(o.ordered_at, '{TS}') < timestamp '{END}'
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


def test_bad_rows_present_and_counted(medium):
    raw, params = medium
    con = landing(raw)
    q = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    observed = {
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
    assert observed == params["bad_rows"]
    assert all(n >= 1 for kinds in observed.values() for n in kinds.values())
    total_bad = sum(n for kinds in observed.values() for n in kinds.values())
    assert total_bad == pytest.approx(0.002 * 20_000, rel=0.5)


def test_other_tables_are_consistent(medium):
    raw, params = medium
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
    survey = con.execute(f"""
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


def test_clears_previous_tables_only(tmp_path):
    stale = tmp_path / "orders" / "order_month=1999-01"
    stale.mkdir(parents=True)
    (stale / "part-00000.parquet").write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not a landing table")
    generate(tmp_path, orders=1_000, seed=1)
    assert not stale.exists()
    assert (tmp_path / "keep.txt").exists()
    assert (tmp_path / "_generator_params.json").exists()


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
    groups = [np.ones(len(t), bool)] + [(t >= lo) & (t < hi) for lo, hi in zip(cuts[:-1], cuts[1:])]
    for group in groups:
        se = x[group].std(ddof=1) / np.sqrt(group.sum())
        assert abs(x[group].mean() - expected[group].mean()) < 4 * se, (x[group].mean(), expected[group].mean(), se)
