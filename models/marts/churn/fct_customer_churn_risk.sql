{#- One row per customer with a purchase up to the analysis date (`as_of_date` var, default the
    date of the last purchase): churn-risk features, score, segment and the playbook's intervention. -#}
with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

scores as (

    select * from {{ ref('int_churn__customer_scores') }}
    where snapshot_type = 'current'

),

churn_scores as (

    select * from {{ ref('stg_clv__churn_scores') }}

),

playbook as (

    select * from {{ ref('retention_playbook') }}

)

select
    scores.customer_id,
    scores.risk_segment,
    playbook.intervention as recommended_intervention,
    playbook.channel as intervention_channel,
    churn_scores.top_churn_features,
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
    scores.p_active_from_silence,
    scores.p_active_from_frequency_trend,
    scores.p_active_from_spend_trend,
    scores.p_alive,
    scores.p_active,
    scores.p_purchase_if_active,
    scores.risk_score,
    churn_scores.churn_probability,
    scores.snapshot_date as as_of_date,
    scores.outcome_window_end as risk_horizon_end_date,
    features.first_purchase_date,
    features.last_purchase_date

from scores
inner join features
    on
        scores.snapshot_date = features.snapshot_date
        and scores.customer_id = features.customer_id
left join churn_scores
    on scores.customer_id = churn_scores.customer_id
left join playbook
    on scores.risk_segment = playbook.risk_segment
