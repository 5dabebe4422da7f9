{#- One row per customer with a purchase up to the analysis date (`as_of_date` var, default the
    date of the last completed order): churn features, churn probability, risk segment, expected
    revenue at risk and its value tier, and the playbook's intervention for segment and tier. -#}
with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

scores as (

    select * from {{ ref('int_churn__customer_scores') }}
    where model_role = 'final' and snapshot_type = 'current'

),

clv_predictions as (

    select * from {{ ref('int_clv__customer_predictions') }}

),

value_tiers as (

    select * from {{ ref('churn_value_tiers') }}

),

playbook as (

    select * from {{ ref('retention_playbook') }}

),

valued as (

    select
        scores.*,
        clv_predictions.predicted_clv_base,
        scores.churn_probability * clv_predictions.predicted_clv_base as expected_revenue_at_risk_base

    from scores
    left join clv_predictions
        on scores.customer_id = clv_predictions.customer_id

),

ranked as (

    {#- A customer without a CLV prediction ranks last: no revenue at risk is known. #}
    select
        *,
        row_number() over (order by expected_revenue_at_risk_base desc nulls last, customer_id asc)
        / cast(count(*) over () as double) as revenue_at_risk_rank_share

    from valued

),

tiered as (

    select
        ranked.*,
        value_tiers.value_tier

    from ranked
    inner join value_tiers
        on
            ranked.revenue_at_risk_rank_share > value_tiers.min_customer_share
            and ranked.revenue_at_risk_rank_share <= value_tiers.max_customer_share

)

select
    tiered.customer_id,
    tiered.risk_segment,
    tiered.value_tier,
    playbook.intervention as recommended_intervention,
    playbook.channel as intervention_channel,
    tiered.top_churn_features,
    features.is_population_interval,
    features.purchases,
    features.net_revenue_base,
    features.days_since_last_purchase,
    features.typical_interval_days,
    features.overdue_ratio,
    features.purchases_last_window,
    features.purchases_previous_window,
    features.frequency_trend,
    features.net_revenue_last_window,
    features.net_revenue_previous_window,
    features.spend_trend,
    tiered.churn_probability,
    tiered.predicted_clv_base,
    tiered.expected_revenue_at_risk_base,
    tiered.snapshot_date as as_of_date,
    tiered.outcome_window_end as risk_horizon_end_date,
    features.first_purchase_date,
    features.last_purchase_date

from tiered
inner join features
    on
        tiered.snapshot_date = features.snapshot_date
        and tiered.customer_id = features.customer_id
left join playbook
    on
        tiered.risk_segment = playbook.risk_segment
        and tiered.value_tier = playbook.value_tier
