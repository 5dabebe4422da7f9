{#- The settings of one CLV fit as a one-row relation, so the Python fit step reads everything it
    needs from the warehouse and the marts can show what a prediction assumed. The calibration
    period ends at the `clv_calibration_end` var, else at the analysis date. -#}
with

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

)

select
    {{ date_var('clv_calibration_end') or 'as_of_date' }} as calibration_end_date,
    '{{ var("clv_time_unit") | lower }}' as time_unit,
    {{ clv_time_unit_days() }} as time_unit_days,
    {{ var('clv_horizon_days') | int }} as horizon_days,
    cast({{ var('clv_discount_rate') | float }} as double) as discount_rate,
    {{ var('clv_discount_period_days') | int }} as discount_period_days

from analysis_date
