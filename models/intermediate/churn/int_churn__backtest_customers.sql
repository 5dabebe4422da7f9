{#- Every customer scored at every backtest snapshot, with the outcome observed afterwards
    (`int_churn__outcomes`): did they purchase within `churn_horizon_days` after the snapshot?
    Non-return is the event the score predicts. -#}
with

scores as (

    select * from {{ ref('int_churn__customer_scores') }}
    where snapshot_type = 'backtest'

),

outcomes as (

    select * from {{ ref('int_churn__outcomes') }}

)

select
    scores.snapshot_date,
    scores.customer_id,
    scores.risk_segment,
    scores.segment_rank,
    scores.risk_score,
    outcomes.purchases_in_horizon,
    outcomes.is_non_returning,
    outcomes.outcome_window_end

from scores
inner join outcomes
    on
        scores.snapshot_date = outcomes.snapshot_date
        and scores.customer_id = outcomes.customer_id
