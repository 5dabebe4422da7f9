{#- The held-out customers of the churn fit's validation (the newest closed backtest snapshot,
    scored by the model trained on the older ones), with the outcome observed afterwards
    (`int_churn__outcomes`): did they purchase within `churn_horizon_days` after the snapshot?
    Non-return is the event the probability predicts. -#}
with

scores as (

    select * from {{ ref('int_churn__customer_scores') }}
    where model_role = 'validation'

),

outcomes as (

    select * from {{ ref('int_churn__outcomes') }}

)

select
    scores.snapshot_date,
    scores.customer_id,
    scores.risk_segment,
    scores.segment_rank,
    scores.churn_probability,
    outcomes.purchases_in_horizon,
    outcomes.is_non_returning,
    outcomes.outcome_window_end

from scores
inner join outcomes
    on
        scores.snapshot_date = outcomes.snapshot_date
        and scores.customer_id = outcomes.customer_id
