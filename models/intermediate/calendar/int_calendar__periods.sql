{#- Reporting calendar at the `period_grain`, from the first purchase period to the period of the
    analysis date (the `as_of_date` var, else the last purchase date). Derived from the data. -#}
{%- set grain = grain_var('period_grain') -%}

with

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

bounds as (

    select
        min(purchases.order_period) as first_period,
        (select analysis_date.as_of_date from analysis_date) as as_of_date

    from purchases

),

numbered as (

    select
        first_period,
        as_of_date,
        {{ integer_series(periods_between('first_period', period_start('as_of_date', grain), grain)) }}
            as period_index

    from bounds

),

periods as (

    select
        period_index,
        as_of_date,
        cast({{ dbt.dateadd(grain, 'period_index', 'first_period') }} as date) as period_start

    from numbered

)

select
    period_index,
    period_start,
    {{ period_end('period_start', grain) }} as period_end,
    {{ period_end('period_start', grain) }} <= as_of_date as is_complete

from periods
