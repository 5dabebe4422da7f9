{#- Average net spend per active customer by tenure year (year y = days [365 (y - 1), 365 y) after
    the first purchase), over customers whose tenure year y is complete. Active in year y = at least
    one purchase in it; in year 1 every customer is active (the first purchase). The index is the
    ratio to year 1 (1.0 = year-1 spend; 1.67 would be "67 % more"). -#}
with

active_years as (

    select * from {{ ref('int_customers__active_tenure_years') }}
    where is_complete

),

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}
    where is_acquired_by_analysis_date

),

completed_years as (

    select
        {{ completed_tenure_years('tenure_days') }} as completed_tenure_years,
        count(*) as customers

    from cohorts
    group by {{ completed_tenure_years('tenure_days') }}

),

tenure_years as (

    select
        {{ integer_series('max_completed_tenure_years') }} as tenure_year,
        max_completed_tenure_years

    from (select max(completed_tenure_years) as max_completed_tenure_years from completed_years) as bounds

),

eligible as (

    select
        tenure_years.tenure_year,
        cast(sum(completed_years.customers) as bigint) as eligible_customers

    from tenure_years
    inner join completed_years
        on tenure_years.tenure_year <= completed_years.completed_tenure_years
    where tenure_years.tenure_year between 1 and tenure_years.max_completed_tenure_years
    group by tenure_years.tenure_year

),

active as (

    select
        tenure_year,
        count(*) as active_customers,
        cast(sum(purchases) as bigint) as purchases,
        {{ money('sum(net_revenue_base)') }} as net_revenue_base

    from active_years
    group by tenure_year

),

per_year as (

    select
        eligible.tenure_year,
        eligible.eligible_customers,
        coalesce(active.active_customers, 0) as active_customers,
        coalesce(active.purchases, 0) as purchases,
        coalesce(active.net_revenue_base, 0) as net_revenue_base

    from eligible
    left join active
        on eligible.tenure_year = active.tenure_year

),

averages as (

    select
        *,
        {{ safe_divide('net_revenue_base', 'active_customers') }} as spend_per_active_customer

    from per_year

),

year_one as (

    select spend_per_active_customer from averages
    where tenure_year = 1

)

select
    cast(averages.tenure_year as int) as tenure_year,
    averages.eligible_customers,
    averages.active_customers,
    {{ safe_divide('averages.active_customers', 'averages.eligible_customers') }} as active_share,
    averages.purchases,
    averages.net_revenue_base,
    {{ money('averages.spend_per_active_customer') }} as spend_per_active_customer_base,
    {{ safe_divide('averages.spend_per_active_customer', 'year_one.spend_per_active_customer') }}
        as spend_index_to_year_1

from averages
cross join year_one
