{#- Churn-risk score and segment of every customer at every snapshot date; the one scoring
    definition behind `fct_customer_churn_risk` (current snapshot) and the backtest (past ones).
    Each component is a risk in [0, 1]; the score is their weighted mean (`churn_risk_weights`),
    re-weighted over the components that are present, rounded to 6 decimals so that ties are
    exact on every engine (the backtest AUC ranks them).
    - overdue: r / (1 + r) with r the overdue ratio; 0.5 when exactly one typical interval has
      passed, 2/3 at two intervals, approaching 1 as the silence lengthens.
    - frequency and spend trend: (1 - trend) / 2; 0 for a customer who only bought in the last
      window, 1 for one who only bought in the one before, 0.5 for no change or no activity.
    - P(alive): 1 - p_alive of the CLV model, at the current snapshot only: a model fitted on all
      data up to the analysis date says nothing reliable about customers at past dates. -#}
{%- set weights = var('churn_risk_weights') -%}

with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

snapshots as (

    select * from {{ ref('int_churn__snapshot_dates') }}

),

clv_predictions as (

    select customer_id, cast(null as double) as p_alive from {{ ref('int_customer_cohorts') }} where 1 = 0  -- STUB_CLV

),

segments as (

    select * from {{ ref('churn_risk_segments') }}

),

components as (

    select
        features.customer_snapshot_id,
        features.snapshot_date,
        features.customer_id,
        snapshots.snapshot_type,
        features.overdue_ratio,
        features.frequency_trend,
        features.spend_trend,
        clv_predictions.p_alive,
        features.overdue_ratio / (1 + features.overdue_ratio) as overdue_risk,
        (1 - coalesce(features.frequency_trend, 0)) / 2 as frequency_trend_risk,
        (1 - coalesce(features.spend_trend, 0)) / 2 as spend_trend_risk,
        1 - clv_predictions.p_alive as p_alive_risk

    from features
    inner join snapshots
        on features.snapshot_date = snapshots.snapshot_date
    left join clv_predictions
        on
            features.customer_id = clv_predictions.customer_id
            and snapshots.snapshot_type = 'current'

),

scored as (

    select
        *,
        round({{ weighted_mean_of_present([
            ('overdue_risk', weights['overdue']),
            ('frequency_trend_risk', weights['frequency_trend']),
            ('spend_trend_risk', weights['spend_trend']),
            ('p_alive_risk', weights['p_alive']),
        ]) }}, 6) as risk_score

    from components

)

select
    scored.customer_snapshot_id,
    scored.snapshot_date,
    scored.customer_id,
    scored.snapshot_type,
    segments.risk_segment,
    segments.segment_rank,
    scored.overdue_risk,
    scored.frequency_trend_risk,
    scored.spend_trend_risk,
    scored.p_alive_risk,
    scored.risk_score

from scored
left join segments
    on
        scored.risk_score >= segments.min_risk_score
        and (scored.risk_score < segments.max_risk_score or segments.max_risk_score is null)
