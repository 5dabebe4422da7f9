{#- What happened after each backtest snapshot to every customer with a purchase before it:
    purchases in the `churn_horizon_days` after the snapshot. No purchase (`is_non_returning`)
    is the event churn scores predict; the backtest and any model trained on past snapshots read
    the outcome from here. -#}
with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

snapshots as (

    select * from {{ ref('int_calendar__churn_snapshots') }}
    where snapshot_type = 'backtest'

),

purchases as (

    select * from {{ ref('int_orders__purchases') }}

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
    features.snapshot_date,
    features.customer_id,
    coalesce(outcome_purchases.purchases_in_horizon, 0) as purchases_in_horizon,
    outcome_purchases.purchases_in_horizon is null as is_non_returning,
    snapshots.outcome_window_end

from features
inner join snapshots
    on features.snapshot_date = snapshots.snapshot_date
left join outcome_purchases
    on
        features.snapshot_date = outcome_purchases.snapshot_date
        and features.customer_id = outcome_purchases.customer_id
