{#- Churn probability and risk segment of every customer the churn step scored (stg_clv_fit__churn_scores):
    the final model's at the analysis date and before experiment assignments, the validation
    model's on the held-out snapshot. The single segment assignment behind
    `fct_customer_churn_risk`, the backtest and the experiments by segment. -#}
with

scores as (

    select * from {{ ref('stg_clv_fit__churn_scores') }}

),

snapshots as (

    select * from {{ ref('int_calendar__churn_snapshots') }}

),

segments as (

    select * from {{ ref('churn_risk_segments') }}

)

select
    scores.model_role,
    scores.snapshot_date,
    scores.customer_id,
    snapshots.snapshot_type,
    segments.risk_segment,
    segments.segment_rank,
    scores.top_churn_features,
    scores.churn_probability,
    snapshots.outcome_window_end

from scores
inner join snapshots
    on scores.snapshot_date = snapshots.snapshot_date
left join segments
    on
        scores.churn_probability >= segments.min_churn_probability
        and (scores.churn_probability < segments.max_churn_probability or segments.max_churn_probability is null)
