{#- Customer counts behind the retention rate, one row per period. Sets: S active at the start,
    E active at the end (trailing `active_window_days`), N first purchase in the period.
    A customer is in E at period q when one of their spells covers q, so
    E(q) = spells started by q - spells ended before q, and S(q) = E(q - 1). -#}
with

periods as (

    select * from {{ ref('int_calendar__periods') }}

),

spells as (

    select * from {{ ref('int_customers__active_spells') }}

),

activity as (

    select * from {{ ref('int_customers__period_activity') }}

),

spell_starts as (

    select
        start_period_index as period_index,
        count(*) as started_spells,
        count(case when start_period_index > first_period_index then 1 end) as reactivated_customers

    from spells
    group by start_period_index

),

spell_ends as (

    select
        end_period_index as period_index,
        count(*) as ended_spells

    from spells
    group by end_period_index

),

new_customers as (

    select
        period_index,
        count(*) as new_customers

    from activity
    where period_number = 0
    group by period_index

),

per_period as (

    select
        periods.period_index,
        periods.period_start,
        periods.period_end,
        periods.is_complete,
        coalesce(new_customers.new_customers, 0) as new_customers,
        coalesce(spell_starts.reactivated_customers, 0) as reactivated_customers,
        coalesce(spell_starts.started_spells, 0) as started_spells,
        coalesce(spell_ends.ended_spells, 0) as ended_spells

    from periods
    left join spell_starts
        on periods.period_index = spell_starts.period_index
    left join spell_ends
        on periods.period_index = spell_ends.period_index
    left join new_customers
        on periods.period_index = new_customers.period_index

),

running_totals as (

    select
        *,
        cast(sum(started_spells) over (
            order by period_index rows between unbounded preceding and current row
        ) as bigint) as spells_started_to_date,
        cast(sum(ended_spells) over (
            order by period_index rows between unbounded preceding and current row
        ) as bigint) as spells_ended_to_date

    from per_period

),

at_end as (

    select
        *,
        spells_started_to_date - (spells_ended_to_date - ended_spells) as customers_at_end

    from running_totals

),

at_start as (

    select
        *,
        coalesce(lag(customers_at_end) over (order by period_index), 0) as customers_at_start,
        coalesce(lag(ended_spells) over (order by period_index), 0) as lost_customers

    from at_end

)

select
    period_start,
    period_end,
    is_complete,
    customers_at_start,
    new_customers,
    customers_at_end,
    customers_at_start - lost_customers as retained_customers,
    reactivated_customers,
    lost_customers

from at_start
