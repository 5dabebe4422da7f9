{#- Every customer scored at every backtest snapshot, with the outcome observed afterwards: did
    they purchase within `churn_horizon_days` after the snapshot? Non-return is the
    event the score predicts. -#}
with

scores as (

    select * from {{ ref('int_churn__customer_scores') }}
    where snapshot_type = 'backtest'

),

snapshots as (

    select * from {{ ref('int_churn__snapshot_dates') }}
    where snapshot_type = 'backtest'

),

purchases as (

    select * from {{ ref('int_purchases') }}

),

outcome_purchases as (

    select
        snapshots.snapshot_date,
        purchases.customer_id,
        count(*) as purchases_in_horizon

    from snapshots
    inner join purchases
        on
            snapshots.snapshot_date < purchases.order_date
            and snapshots.outcome_window_end >= purchases.order_date
    group by snapshots.snapshot_date, purchases.customer_id

)

select
    scores.snapshot_date,
    scores.customer_id,
    scores.risk_segment,
    scores.segment_rank,
    scores.risk_score,
    coalesce(outcome_purchases.purchases_in_horizon, 0) as purchases_in_horizon,
    outcome_purchases.purchases_in_horizon is null as is_non_returning,
    snapshots.outcome_window_end

from scores
inner join snapshots
    on scores.snapshot_date = snapshots.snapshot_date
left join outcome_purchases
    on
        scores.snapshot_date = outcome_purchases.snapshot_date
        and scores.customer_id = outcome_purchases.customer_id
