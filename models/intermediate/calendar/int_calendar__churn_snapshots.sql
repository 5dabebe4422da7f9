{#- Dates the churn-risk features are computed at: the analysis date (`current`) and the ends of
    past `churn_backtest_grain` periods (`backtest`) whose outcome window (the following
    `churn_horizon_days`) is fully observed by the analysis date and which follow at least two
    trend windows of history, so the trend features compare two observed windows. -#}
{%- set grain = grain_var('churn_backtest_grain') -%}
{%- set horizon_days = var('churn_horizon_days') | int -%}
{%- set window_days = var('churn_trend_window_days') | int -%}

with

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

bounds as (

    select
        min(order_date) as first_purchase_date,
        {{ period_start('min(order_date)', grain) }} as first_period,
        (select analysis_date.as_of_date from analysis_date) as as_of_date

    from purchases

),

numbered as (

    select
        first_purchase_date,
        first_period,
        as_of_date,
        {{ integer_series(periods_between('first_period', period_start('as_of_date', grain), grain)) }}
            as period_index

    from bounds

),

period_ends as (

    select
        first_purchase_date,
        as_of_date,
        {{ period_end(dbt.dateadd(grain, 'period_index', 'first_period'), grain) }} as snapshot_date

    from numbered

),

backtest_snapshots as (

    select
        snapshot_date,
        'backtest' as snapshot_type

    from period_ends
    where
        snapshot_date >= {{ dbt.dateadd('day', 2 * window_days, 'first_purchase_date') }}
        and {{ dbt.dateadd('day', horizon_days, 'snapshot_date') }} <= as_of_date

),

current_snapshot as (

    select
        as_of_date as snapshot_date,
        'current' as snapshot_type

    from bounds

),

snapshots as (

    select * from backtest_snapshots
    union all
    select * from current_snapshot

)

select
    snapshot_date,
    snapshot_type,
    cast({{ dbt.dateadd('day', horizon_days, 'snapshot_date') }} as date) as outcome_window_end

from snapshots
