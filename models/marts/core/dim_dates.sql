{#- Every day of the reporting calendar (int_calendar__periods): the semantic layer's time spine and a date
    dimension for BI tools. -#}
with

periods as (

    select * from {{ ref('int_calendar__periods') }}

),

bounds as (

    select
        min(period_start) as first_date,
        max(period_end) as last_date

    from periods

),

numbered as (

    select
        first_date,
        {{ integer_series(dbt.datediff('first_date', 'last_date', 'day')) }} as day_number

    from bounds

),

days as (

    select cast({{ dbt.dateadd('day', 'day_number', 'first_date') }} as date) as date_day
    from numbered

)

select
    days.date_day,
    periods.period_start,
    periods.is_complete as is_period_complete

from days
inner join periods
    on days.date_day between periods.period_start and periods.period_end
