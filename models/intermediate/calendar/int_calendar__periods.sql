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

periods as (

    {{ purchase_periods(grain) }}

)

select
    period_index,
    period_start,
    {{ period_end('period_start', grain) }} as period_end,
    {{ period_end('period_start', grain) }} <= as_of_date as is_complete

from periods
