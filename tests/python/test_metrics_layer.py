"""The semantic layer (models/semantic) queried with MetricFlow gives the marts' numbers: each
metric is checked against the mart it sits on, computed here from the mart's rows."""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pytest

from retention_warehouse.metrics import query_metrics


def _mart_rows(settings, sql: str) -> list[tuple]:
    # Closed before mf runs: mf opens the build file through dbt-duckdb.
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _number(text: str) -> float | None:
    return float(text) if text != "" else None


def _by(rows: list[dict], *keys: str) -> dict:
    """Rows keyed by the group-by columns; time dimensions (midnight timestamps) as ISO dates."""
    return {tuple(row[key].removesuffix(" 00:00:00") for key in keys): row for row in rows}


def test_retention_metrics_by_month_equal_fct_retention_rate(demo_warehouse):
    mart = _mart_rows(demo_warehouse, """
        select cast(period_start as varchar), customers_at_start, new_customers, customers_at_end,
               retention_rate, strict_retention_rate, churn_rate
        from marts.fct_retention_rate""")
    metrics = ["customers_at_start", "new_customers", "active_customers", "retention_rate", "strict_retention_rate",
               "churn_rate"]
    queried = _by(query_metrics(demo_warehouse, metrics, ["metric_time__month"]), "metric_time__month")

    assert len(mart) > 24 and set(queried) == {(row[0],) for row in mart}
    for period, start, new, end, rate, strict, churn in mart:
        row = queried[(period,)]
        assert (int(row["customers_at_start"]), int(row["new_customers"]), int(row["active_customers"])) == (start, new, end)
        for metric, expected in (("retention_rate", rate), ("strict_retention_rate", strict), ("churn_rate", churn)):
            assert _number(row[metric]) == pytest.approx(expected), (period, metric)


def test_quarterly_retention_rate_takes_cs_at_the_start_ce_at_the_end_and_sums_cn(demo_warehouse):
    quarters = defaultdict(list)
    for period, start, new, end in _mart_rows(demo_warehouse, """
            select period_start, customers_at_start, new_customers, customers_at_end
            from marts.fct_retention_rate order by period_start"""):
        quarters[f"{period.year}-{(period.month - 1) // 3 * 3 + 1:02d}-01"].append((start, new, end))
    expected = {
        quarter: (months[-1][2] - sum(m[1] for m in months)) / months[0][0] if months[0][0] else None
        for quarter, months in quarters.items()
    }
    # What summing the head counts over the months would give instead: far from the right rate.
    summed = {quarter: (sum(m[2] for m in months) - sum(m[1] for m in months)) / sum(m[0] for m in months)
              for quarter, months in quarters.items() if months[0][0]}
    queried = _by(query_metrics(demo_warehouse, ["retention_rate"], ["metric_time__quarter"]), "metric_time__quarter")
    rates = {quarter: _number(row["retention_rate"]) for (quarter,), row in queried.items()}

    assert rates == pytest.approx(expected)
    assert sum(abs(rates[quarter] - value) > 0.1 for quarter, value in summed.items()) >= len(summed) // 2


def test_revenue_and_order_metrics_equal_the_marts(demo_warehouse):
    revenue = dict(_mart_rows(demo_warehouse, """
        select cast(period_start as varchar), new_revenue_base + retained_revenue_base + resurrected_revenue_base
        from marts.fct_growth_accounting"""))
    channels = {channel: (float(net) / orders, repeat / purchasing) for channel, net, orders, repeat, purchasing in _mart_rows(
        demo_warehouse, """
        select acquisition_channel, sum(net_revenue_base), sum(completed_orders),
               count(*) filter (where completed_orders > 1), count(*) filter (where completed_orders > 0)
        from marts.dim_customers group by acquisition_channel having sum(completed_orders) > 0""")}
    by_month = _by(query_metrics(demo_warehouse, ["net_revenue"], ["metric_time__month"]), "metric_time__month")
    by_channel = _by(query_metrics(demo_warehouse, ["average_order_value", "repeat_purchase_rate"],
                                   ["customer__acquisition_channel"]), "customer__acquisition_channel")

    assert {period: _number(row["net_revenue"]) for (period,), row in by_month.items()} == \
        pytest.approx({period: float(value) for period, value in revenue.items()})
    assert len(channels) >= 5
    for channel, (order_value, repeat_rate) in channels.items():
        row = by_channel[(channel,)]
        assert (_number(row["average_order_value"]), _number(row["repeat_purchase_rate"])) == \
            pytest.approx((order_value, repeat_rate)), channel


def test_value_metrics_equal_the_marts(demo_warehouse):
    ltv_cac = {(channel, str(cohort)): ratio for channel, cohort, ratio in _mart_rows(demo_warehouse, """
        select acquisition_channel, cohort_period, ltv_cac_ratio from marts.fct_ltv_cac""")}
    predicted = dict(_mart_rows(demo_warehouse, """
        select acquisition_channel, avg(predicted_clv_base) from marts.fct_customer_clv group by acquisition_channel"""))
    queried_ltv = _by(query_metrics(demo_warehouse, ["ltv_cac"], ["channel_cohort__acquisition_channel",
                                                                  "channel_cohort__cohort_period__month"]),
                      "channel_cohort__acquisition_channel", "channel_cohort__cohort_period__month")
    queried_clv = _by(query_metrics(demo_warehouse, ["predicted_clv"], ["customer__acquisition_channel"]),
                      "customer__acquisition_channel")

    assert sum(ratio is not None for ratio in ltv_cac.values()) > 50
    assert {key: _number(row["ltv_cac"]) for key, row in queried_ltv.items()} == pytest.approx(ltv_cac)
    assert {channel: _number(row["predicted_clv"]) for (channel,), row in queried_clv.items()} == pytest.approx(predicted)


def test_nps_and_churn_risk_metrics_equal_the_marts(demo_warehouse):
    nps = {(str(period), channel, survey): value for period, channel, survey, value in _mart_rows(demo_warehouse, """
        select period_start, acquisition_channel, survey_type, nps from marts.fct_nps""")}
    at_risk = {segment: (customers, float(revenue)) for segment, customers, revenue in _mart_rows(demo_warehouse, """
        select risk_segment, count(*), sum(expected_revenue_at_risk_base)
        from marts.fct_customer_churn_risk where churn_probability is not null group by risk_segment""")}
    queried_nps = _by(query_metrics(demo_warehouse, ["nps"], [
        "metric_time__month", "survey_segment__acquisition_channel", "survey_segment__survey_type"]),
        "metric_time__month", "survey_segment__acquisition_channel", "survey_segment__survey_type")
    queried_risk = _by(query_metrics(demo_warehouse, ["customers_at_risk", "revenue_at_risk"],
                                     ["customer__risk_segment"]), "customer__risk_segment")

    assert sum(value is not None for value in nps.values()) > 50
    assert {key: _number(row["nps"]) for key, row in queried_nps.items()} == pytest.approx(nps)
    assert set(at_risk) == {"low", "medium", "high"}
    assert {segment: int(row["customers_at_risk"]) for (segment,), row in queried_risk.items()} == \
        {segment: customers for segment, (customers, _) in at_risk.items()}
    assert {segment: _number(row["revenue_at_risk"]) for (segment,), row in queried_risk.items()} == \
        pytest.approx({segment: revenue for segment, (_, revenue) in at_risk.items()})
