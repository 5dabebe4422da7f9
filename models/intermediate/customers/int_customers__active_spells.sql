{#- Spells during which a customer "is a customer" at period ends: one row per customer and run
    of consecutive periods at whose end the customer had purchased within the trailing
    `active_window_days`. A purchase on date d keeps the customer active at the end of every
    period ending on or before d + window - 1, until the next active period takes over; runs
    that touch are merged. Retention counts are then running sums of spell starts and ends. -#}
{%- set grain = grain_var('period_grain') -%}
{%- set window_days = var('active_window_days') | int -%}

with

activity as (

    select * from {{ ref('int_customers__period_activity') }}
    where is_active

),

calendar as (

    select
        min(period_start) as first_period_start,
        max(period_index) as last_period_index

    from {{ ref('int_calendar__periods') }}

),

active_until as (

    select
        activity.customer_id,
        activity.period_index,
        activity.first_period_index,
        activity.next_active_period_index,
        calendar.first_period_start,
        calendar.last_period_index,
        cast({{ dbt.dateadd('day', window_days - 1, 'activity.last_purchase_date') }} as date) as active_until_date

    from activity
    cross join calendar

),

pieces as (

    select
        customer_id,
        first_period_index,
        period_index as start_period_index,
        {#- The last period ending on or before active_until_date: the period containing that
            date, or the one before when that period ends later. #}
        {{ periods_between('first_period_start', period_start('active_until_date', grain), grain) }}
        - case
            when {{ period_end(period_start('active_until_date', grain), grain) }} > active_until_date then 1
            else 0
        end as window_end_period_index,
        coalesce(next_active_period_index - 1, last_period_index) as before_next_period_index,
        last_period_index

    from active_until

),

bounded as (

    select
        customer_id,
        first_period_index,
        start_period_index,
        least(window_end_period_index, before_next_period_index, last_period_index) as end_period_index

    from pieces

),

flagged as (

    select
        *,
        case
            when
                lag(end_period_index) over (partition by customer_id order by start_period_index)
                = start_period_index - 1 then 0
            else 1
        end as is_spell_start

    from bounded
    where end_period_index >= start_period_index

),

numbered as (

    select
        *,
        sum(is_spell_start) over (
            partition by customer_id order by start_period_index
            rows between unbounded preceding and current row
        ) as spell_number

    from flagged

)

select
    customer_id,
    spell_number,
    min(first_period_index) as first_period_index,
    min(start_period_index) as start_period_index,
    max(end_period_index) as end_period_index

from numbered
group by customer_id, spell_number
