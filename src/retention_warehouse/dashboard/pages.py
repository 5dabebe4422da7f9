"""The dashboard's pages. Each reads the published marts it names, filtered where the mart has
the filter's column, and returns Dash components."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
from dash import html

from retention_warehouse.dashboard.components import (
    chart,
    count_text,
    kpi,
    kpi_row,
    money_text,
    note,
    number_text,
    percent_text,
    table,
)
from retention_warehouse.dashboard.served import Filters, ServedMarts

NO_FILTERS = "Filters do not apply: these marts are per period for all customers."


def overview(marts: ServedMarts, filters: Filters) -> list:
    where, parameters = filters.clause("acquisition_channel", "cohort_period")
    customers = marts.frame(
        f"select count(*) as customers, sum(net_revenue_base) as net_revenue from dim_customers "
        f"where cohort_period is not null and {where}", parameters).iloc[0]
    periods = marts.frame("select * from fct_retention_rate order by period_start")
    latest = periods[periods["is_complete"]].iloc[-1]
    value = marts.frame(
        f"select avg(predicted_clv_base) as predicted_clv from fct_customer_clv where {where}", parameters).iloc[0]
    high_risk = marts.frame("select count(*) as customers from fct_customer_churn_risk where risk_segment = 'high'").iloc[0]
    period = f"{latest['period_start']:%Y-%m}"
    figure = go.Figure([
        go.Scatter(x=periods["period_start"], y=periods["customers_at_end"], name="active customers (CE)"),
        go.Bar(x=periods["period_start"], y=periods["new_customers"], name="new customers (CN)", opacity=0.5),
    ])
    return [
        kpi_row(
            kpi("kpi-customers", "Customers with a purchase", count_text(customers["customers"]), "filtered"),
            kpi("kpi-net-revenue", "Net revenue", money_text(customers["net_revenue"]),
                "all landed orders, base currency, filtered"),
            kpi("kpi-active-customers", "Active customers", count_text(latest["customers_at_end"]),
                f"all customers, end of {period}"),
            kpi("kpi-retention-rate", "Retention rate", percent_text(latest["retention_rate"]),
                f"(CE - CN) / CS, all customers, {period}"),
            kpi("kpi-predicted-clv", "Predicted CLV per customer", money_text(value["predicted_clv"]), "filtered"),
            kpi("kpi-high-risk", "Customers at high churn risk", count_text(high_risk["customers"]), "all customers"),
        ),
        chart("chart-active-customers", figure, "Active and new customers per period"),
    ]


def cohorts(marts: ServedMarts, filters: Filters) -> list:
    where, parameters = filters.clause(None, "cohort_period")
    frame = marts.frame(
        f"select cohort_period, period_number, cohort_retention_rate, cumulative_net_revenue_per_customer "
        f"from fct_cohort_retention where is_complete and {where} order by cohort_period, period_number",
        parameters)
    frame["cohort"] = frame["cohort_period"].map(lambda value: f"{value:%Y-%m}")
    heatmaps = []
    for column, title, chart_id in (
        # k = 0 is 100 % by definition and would wash out the colour scale of every later period.
        ("cohort_retention_rate", "Share of each cohort purchasing k >= 1 periods after its first", "chart-cohort-customers"),
        ("cumulative_net_revenue_per_customer", "Cumulative net revenue per cohort customer", "chart-cohort-revenue"),
    ):
        shown = frame[frame["period_number"] > 0] if column == "cohort_retention_rate" else frame
        grid = shown.pivot(index="cohort", columns="period_number", values=column)
        figure = go.Figure(go.Heatmap(z=grid.values, x=grid.columns, y=grid.index, colorscale="Blues"))
        figure.update_yaxes(autorange="reversed", title="cohort")
        figure.update_xaxes(title="periods since the first purchase")
        heatmaps.append(chart(chart_id, figure, title))
    if filters.acquisition_channel:
        heatmaps.insert(0, note("The cohort range applies; fct_cohort_retention has no acquisition channel."))
    return heatmaps


def retention(marts: ServedMarts, filters: Filters) -> list:
    rates = marts.frame("select * from fct_retention_rate where is_complete order by period_start")
    growth = marts.frame("select * from fct_growth_accounting where is_complete order by period_start")
    rate_figure = go.Figure([
        go.Scatter(x=rates["period_start"], y=rates[column], name=column.replace("_", " "))
        for column in ("retention_rate", "strict_retention_rate", "churn_rate")
    ])
    growth_figure = go.Figure([
        go.Bar(x=growth["period_start"], y=growth["new_customers"], name="new"),
        go.Bar(x=growth["period_start"], y=growth["retained_customers"], name="retained"),
        go.Bar(x=growth["period_start"], y=growth["resurrected_customers"], name="resurrected"),
        go.Bar(x=growth["period_start"], y=-growth["churned_customers"], name="churned"),
    ])
    growth_figure.update_layout(barmode="relative")
    ratio_figure = go.Figure([
        go.Scatter(x=growth["period_start"], y=growth[column], name=column.replace("_", " "))
        for column in ("customer_quick_ratio", "revenue_quick_ratio")
    ])
    return [
        note(NO_FILTERS),
        chart("chart-retention-rates", rate_figure, "Retention rate (CE - CN) / CS, strict retention and churn rate"),
        chart("chart-growth-accounting", growth_figure, "Growth accounting: customers by state"),
        chart("chart-quick-ratio", ratio_figure, "Quick ratios (above 1: growing)"),
    ]


def customer_value(marts: ServedMarts, filters: Filters) -> list:
    where, parameters = filters.clause("acquisition_channel", "cohort_period")
    distribution = marts.frame(f"""
        with values as (select predicted_clv_base as clv from fct_customer_clv where clv is not null and {where}),
        cap as (select greatest(quantile_cont(clv, 0.99), 1e-9) as top from values)
        select least(floor(clv / (cap.top / 40)), 40) * cap.top / 40 as clv_from, count(*) as customers
        from values cross join cap group by all order by 1""", parameters)
    deciles = marts.frame(f"""
        select clv_decile, avg(predicted_clv_base) as predicted_clv, avg(historical_clv_base) as historical_clv
        from fct_customer_clv where clv_decile is not null and {where} group by all order by 1""", parameters)
    alive = marts.frame(f"""
        select least(date_diff('day', last_purchase_date, as_of_date) // 30, 36) as months_since_last_purchase,
               avg(p_alive) as p_alive, count(*) as customers
        from fct_customer_clv where p_alive is not null and purchase_days > 1 and {where} group by all order by 1""",
        parameters)
    channels = marts.frame(f"""
        select acquisition_channel,
               sum(customers_acquired * avg_lifetime_value_base) / sum(marketing_spend_base) as ltv_cac,
               median(cac_payback_months) as median_payback_months
        from fct_ltv_cac where {where} group by all having sum(marketing_spend_base) > 0 order by 1""", parameters)
    return [
        chart("chart-clv-distribution", px.bar(distribution, x="clv_from", y="customers"),
              "Predicted CLV per customer (base currency; the top 1 % in the last bar)"),
        chart("chart-clv-deciles", px.bar(deciles, x="clv_decile", y=["predicted_clv", "historical_clv"],
                                          barmode="group"), "Average CLV by predicted-CLV decile (1 = highest)"),
        chart("chart-p-alive", px.line(alive, x="months_since_last_purchase", y="p_alive", markers=True),
              "P(alive) of repeat customers against months since the last purchase (one-time buyers: 1 in BG/NBD)"),
        chart("chart-ltv-cac", px.bar(channels, x="acquisition_channel", y="ltv_cac",
                                      hover_data=["median_payback_months"]),
              "LTV:CAC by acquisition channel (paid channels)"),
        table("table-ltv-cac", channels, {"ltv_cac": number_text, "median_payback_months": number_text}),
    ]


def churn_risk(marts: ServedMarts, filters: Filters) -> list:
    where, parameters = filters.clause("customers.acquisition_channel", "customers.cohort_period")
    segments = marts.frame(f"""
        select risk.risk_segment, risk.value_tier, risk.recommended_intervention, risk.intervention_channel,
               count(*) as customers, sum(risk.expected_revenue_at_risk_base) as revenue_at_risk
        from fct_customer_churn_risk as risk
        inner join dim_customers as customers on risk.customer_id = customers.customer_id
        where {where} group by all
        order by min(risk.churn_probability) desc, risk.value_tier""",
        parameters)
    fit = marts.frame("select * from fct_churn_model_fit where is_current").iloc[0]
    backtest = marts.frame("select * from fct_churn_risk_backtest order by segment_rank")
    calibration = marts.frame(
        "select * from fct_churn_model_calibration where run_id = ? order by decile", [fit["run_id"]])
    calibration_figure = go.Figure([
        go.Scatter(x=calibration["mean_predicted"], y=calibration["observed_rate"], mode="lines+markers", name="model"),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect calibration", line={"dash": "dot"}),
    ])
    calibration_figure.update_xaxes(title="mean predicted churn probability")
    calibration_figure.update_yaxes(title="observed non-return rate")
    return [
        kpi_row(
            kpi("kpi-validation-auc", "Backtest AUC", number_text(fit["validation_auc"], 3), f"held out, snapshot {fit['validation_snapshot']:%Y-%m-%d}"),
            kpi("kpi-top-decile-lift", "Top-decile lift", number_text(fit["validation_top_decile_lift"]), "vs the base rate"),
            kpi("kpi-calibration-error", "Calibration error", number_text(fit["validation_calibration_error"], 3), "mean |predicted - observed|"),
        ),
        html.H3("Segments and interventions (acquisition channel and cohort filters apply)"),
        table("table-churn-segments", segments, {"customers": count_text, "revenue_at_risk": money_text}),
        chart("chart-backtest-lift", px.bar(backtest, x="risk_segment", y="lift", hover_data=["non_return_rate", "customers"]),
              "Backtest: non-return rate of each segment relative to all customers"),
        chart("chart-calibration", calibration_figure, "Calibration of the churn probability (held-out deciles)"),
    ]


def playbooks(marts: ServedMarts, filters: Filters) -> list:
    channel_where, channel_parameters = filters.clause("acquisition_channel", None)
    breadth = marts.frame("select * from fct_retention_by_product_breadth order by product_breadth, years_after_first_purchase")
    tenure = marts.frame("select * from fct_repeat_spend_by_tenure order by tenure_year")
    returns = marts.frame("select * from fct_return_rate_by_channel order by channel_type, return_rate desc")
    reasons = marts.frame(f"""
        select cancellation_reason, sum(responses) as responses from fct_churn_reasons
        where {channel_where} group by all order by 2 desc""", channel_parameters)
    # By survey type: exit surveys score far lower, and their share would move a pooled line.
    surveys = marts.frame(f"""
        select period_start, survey_type,
               100.0 * (sum(promoters) - sum(detractors)) / nullif(sum(nps_responses), 0) as nps,
               sum(csat_satisfied) / nullif(sum(csat_responses), 0) as csat_satisfied_share
        from fct_nps where {channel_where} group by all order by 1, 2""", channel_parameters)
    experiments = marts.frame("""
        select experiment_id || ' / ' || variant || ' / ' || window_days || ' d' as comparison,
               absolute_uplift, absolute_uplift_ci_lower, absolute_uplift_ci_upper
        from fct_retention_experiments
        where risk_segment = 'all' and absolute_uplift is not null order by experiment_id, variant, window_days""")
    experiment_figure = go.Figure(go.Scatter(
        x=experiments["absolute_uplift"], y=experiments["comparison"], mode="markers",
        error_x={"type": "data", "symmetric": False,
                 "array": experiments["absolute_uplift_ci_upper"] - experiments["absolute_uplift"],
                 "arrayminus": experiments["absolute_uplift"] - experiments["absolute_uplift_ci_lower"]},
    ))
    experiment_figure.update_xaxes(title="retention uplift over control (95 % interval)")
    breadth["years"] = breadth["years_after_first_purchase"].astype(str)
    return [
        chart("chart-product-breadth", px.bar(breadth, x="product_breadth", y="next_year_retention_rate", color="years",
                                              barmode="group"),
              "Retention after k years by categories bought in the first year"),
        chart("chart-repeat-spend", px.bar(tenure, x="tenure_year", y="spend_per_active_customer_base"),
              "Net spend per active customer by tenure year"),
        chart("chart-return-rate", px.bar(returns, x="channel", y="return_rate", color="channel_type"),
              "Second purchase within the return window, by channel and platform"),
        chart("chart-churn-reasons", px.bar(reasons, x="cancellation_reason", y="responses"),
              "Cancellation reasons (exit surveys; acquisition channel filter applies)"),
        chart("chart-nps", px.line(surveys, x="period_start", y="nps", color="survey_type"),
              "NPS per period and survey type (channel filter applies)"),
        chart("chart-csat", px.line(surveys, x="period_start", y="csat_satisfied_share", color="survey_type"),
              "CSAT satisfied share per period and survey type"),
        chart("chart-experiments", experiment_figure, "Retention experiments: uplift with 95 % intervals"),
    ]


PAGES = {
    "/": ("Overview", overview),
    "/cohorts": ("Cohorts", cohorts),
    "/retention": ("Retention", retention),
    "/value": ("Customer value", customer_value),
    "/churn": ("Churn risk", churn_risk),
    "/playbooks": ("Playbooks", playbooks),
}
