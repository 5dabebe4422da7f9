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

periods as (

    {{ purchase_periods(grain) }}

),

period_ends as (

    select
        first_purchase_date,
        as_of_date,
        {{ period_end('period_start', grain) }} as snapshot_date

    from periods

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

    from analysis_date

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
