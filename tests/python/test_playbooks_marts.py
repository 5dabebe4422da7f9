"""Playbook marts on demo data: the experiment interval against the generator's true uplift, and
NPS / uplift recomputed in plain Python from the staging rows."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import timedelta

import pytest

Z_95 = 1.96
WINDOWS_DAYS = (30, 60, 90)  # dbt var experiment_windows_days (default)


def fetch(connection, sql: str) -> list[dict]:
    relation = connection.sql(sql)
    return [dict(zip(relation.columns, values)) for values in relation.fetchall()]


def scalar(connection, sql: str):
    ((value,),) = connection.sql(sql).fetchall()
    return value


def treatment_rows(connection, segment: str = "all") -> dict:
    rows = fetch(connection, "select * from marts.fct_retention_experiments where variant = 'treatment'")
    return {(row["experiment_id"], row["window_days"]): row for row in rows if row["risk_segment"] == segment}


def test_uplift_interval_covers_generator_true_uplift(demo_warehouse, warehouse_connection):
    params = json.loads((demo_warehouse.raw_dir / "_generator_params.json").read_text())["experiment"]
    rows = treatment_rows(warehouse_connection)
    assert {window for _, window in rows} == set(WINDOWS_DAYS)
    for window_days in WINDOWS_DAYS:
        row = rows[(params["experiment_id"], window_days)]
        true_uplift = params["true_uplift"][str(window_days)]
        assert row["absolute_uplift_ci_lower"] <= true_uplift <= row["absolute_uplift_ci_upper"], (
            f"{window_days} days: true uplift {true_uplift:.4f} outside "
            f"[{row['absolute_uplift_ci_lower']}, {row['absolute_uplift_ci_upper']}]"
        )


def test_every_generated_assignment_is_analysed_or_quarantined(demo_warehouse, warehouse_connection):
    params = json.loads((demo_warehouse.raw_dir / "_generator_params.json").read_text())["experiment"]
    analysed = scalar(
        warehouse_connection,
        "select sum(assigned_customers) from marts.fct_retention_experiments"
        " where window_days = 30 and risk_segment = 'all'",
    )
    quarantined = scalar(
        warehouse_connection,
        "select count(*) from marts.fct_quarantined_rows where source_table = 'experiments.experiment_assignments'",
    )
    assert analysed + quarantined == params["n_control"] + params["n_treatment"]


def analysis_date(connection):
    return scalar(connection, "select max(order_date) from staging.stg_shop__orders where is_completed")


def segments_before_assignment(connection) -> dict:
    """assignment_id -> churn risk segment at the last snapshot before the assignment date, from
    the final model's probabilities and the seed's bands; unscored without one."""
    snapshots = sorted(row["snapshot_date"] for row in fetch(
        connection, "select snapshot_date from intermediate.int_calendar__churn_snapshots"))
    scores = {(row["snapshot_date"], row["customer_id"]): row["churn_probability"] for row in fetch(
        connection, "select * from staging.stg_clv_fit__churn_scores where model_role = 'final'")}
    bands = [(row["min_churn_probability"], row["risk_segment"]) for row in fetch(
        connection, "select * from seeds.churn_risk_segments order by min_churn_probability")]
    segments = {}
    for a in fetch(connection, "select * from staging.stg_experiments__assignments"):
        before = [s for s in snapshots if s < a["assigned_date"]]
        probability = scores.get((before[-1], a["customer_id"])) if before else None
        segments[a["assignment_id"]] = "unscored" if probability is None else [
            segment for lower, segment in bands if probability >= lower][-1]
    return segments


def reference_experiment_stats(connection, segment: str) -> dict:
    """Retention per experiment/variant/window and Wald / log-ratio intervals of the assignments in
    a churn risk segment before assignment (or all), from staging rows."""
    as_of = analysis_date(connection)
    segments = segments_before_assignment(connection)
    purchases = defaultdict(list)
    for row in fetch(connection, "select customer_id, ordered_at from staging.stg_shop__orders where is_completed"):
        purchases[row["customer_id"]].append(row["ordered_at"])
    counts = defaultdict(lambda: [0, 0])  # (experiment, variant, window) -> [observed, retained]
    for a in fetch(connection, "select * from staging.stg_experiments__assignments"):
        if segment != "all" and segments[a["assignment_id"]] != segment:
            continue
        for window_days in WINDOWS_DAYS:
            if a["assigned_date"] + timedelta(days=window_days) > as_of:
                continue
            end = a["assigned_at"] + timedelta(days=window_days)
            cell = counts[(a["experiment_id"], a["variant"], window_days)]
            cell[0] += 1
            cell[1] += any(a["assigned_at"] <= at < end for at in purchases[a["customer_id"]])
    stats = {}
    for (experiment, variant, window_days), (n_t, x_t) in counts.items():
        if variant == "control":
            continue
        n_c, x_c = counts[(experiment, "control", window_days)]
        p_t, p_c = x_t / n_t, x_c / n_c
        se = math.sqrt(p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c)
        # Relative uplift needs a control buyer; its log interval a buyer in each arm.
        has_ratio = min(x_t, x_c) > 0
        log_se = math.sqrt((1 - p_t) / (n_t * p_t) + (1 - p_c) / (n_c * p_c)) if has_ratio else None
        log_rr = math.log(p_t / p_c) if has_ratio else None
        stats[(experiment, window_days)] = {
            "observed_customers": n_t,
            "retained_customers": x_t,
            "retention_rate": p_t,
            "control_retention_rate": p_c,
            "absolute_uplift": p_t - p_c,
            "absolute_uplift_ci_lower": p_t - p_c - Z_95 * se,
            "absolute_uplift_ci_upper": p_t - p_c + Z_95 * se,
            "relative_uplift": p_t / p_c - 1 if x_c else None,
            "relative_uplift_ci_lower": math.exp(log_rr - Z_95 * log_se) - 1 if has_ratio else None,
            "relative_uplift_ci_upper": math.exp(log_rr + Z_95 * log_se) - 1 if has_ratio else None,
        }
    return stats


@pytest.mark.parametrize("segment", ["all", "low", "medium", "high"])
def test_uplift_matches_independent_computation(warehouse_connection, segment):
    expected = reference_experiment_stats(warehouse_connection, segment)
    actual = treatment_rows(warehouse_connection, segment)
    assert expected and set(expected) == set(actual)
    for key, columns in expected.items():
        for column, value in columns.items():
            if value is None or isinstance(value, int):
                assert actual[key][column] == value, f"{key} {column}"
            else:  # the mart rounds rates and statistics to 6 decimals
                assert actual[key][column] == pytest.approx(round(value, 6), abs=1e-12), f"{key} {column}"


def reference_nps(connection) -> dict:
    """NPS and CSAT per month, acquisition channel and survey type (exit = has a cancellation
    reason) from staging rows, with the default month grain."""
    as_of = analysis_date(connection)
    cells = defaultdict(lambda: {"nps": [], "csat": [], "responses": 0})
    responses = fetch(
        connection,
        """
        select r.response_date, r.nps_score, r.csat_score, r.cancellation_reason, c.acquisition_channel
        from staging.stg_feedback__survey_responses as r
        inner join staging.stg_shop__customers as c on r.customer_id = c.customer_id
        """,
    )
    for r in responses:
        if r["response_date"] > as_of:
            continue
        survey_type = "post_order" if r["cancellation_reason"] is None else "exit"
        cell = cells[(r["response_date"].replace(day=1), r["acquisition_channel"], survey_type)]
        cell["responses"] += 1
        if r["nps_score"] is not None:
            cell["nps"].append(r["nps_score"])
        if r["csat_score"] is not None:
            cell["csat"].append(r["csat_score"])
    expected = {}
    for key, cell in cells.items():
        promoters = sum(score >= 9 for score in cell["nps"])
        detractors = sum(score <= 6 for score in cell["nps"])
        nps, csat = cell["nps"], cell["csat"]
        expected[key] = {
            "responses": cell["responses"],
            "nps_responses": len(nps),
            "promoters": promoters,
            "passives": len(nps) - promoters - detractors,
            "detractors": detractors,
            "nps": 100 * (promoters - detractors) / len(nps) if nps else None,
            "csat_responses": len(csat),
            "csat_satisfied": sum(score >= 4 for score in csat),
            "csat_average": sum(csat) / len(csat) if csat else None,
            "csat_satisfied_share": sum(score >= 4 for score in csat) / len(csat) if csat else None,
        }
    return expected


def test_nps_matches_independent_computation(warehouse_connection):
    expected = reference_nps(warehouse_connection)
    actual = {(row["period_start"], row["acquisition_channel"], row["survey_type"]): row for row in fetch(
        warehouse_connection, "select * from marts.fct_nps"
    )}
    assert expected and set(expected) == set(actual)
    for key, columns in expected.items():
        for column, value in columns.items():
            assert actual[key][column] == value, f"{key} {column}: {actual[key][column]} != {value}"


def test_churn_reason_shares_match_generator_mix(demo_warehouse, warehouse_connection):
    """Overall reason shares within 4 binomial standard errors of the generator's configured mix."""
    params = json.loads((demo_warehouse.raw_dir / "_generator_params.json").read_text())
    configured = params["shop_mix"]["cancellation_reasons"]
    counts = dict(warehouse_connection.sql(
        "select cancellation_reason, sum(responses) from marts.fct_churn_reasons group by 1"
    ).fetchall())
    total = sum(counts.values())
    assert set(counts) == set(configured) and total > 100
    for reason, share in configured.items():
        tolerance = 4 * math.sqrt(share * (1 - share) / total)
        assert abs(counts[reason] / total - share) < tolerance, reason
