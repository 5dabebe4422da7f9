{#- Average net spend per active customer by tenure year (year y = days [365 (y - 1), 365 y) after
    the first purchase), over customers whose tenure year y is complete. Active in year y = at least
    one purchase in it; in year 1 every customer is active (the first purchase). The index is the
    ratio to year 1 (1.0 = year-1 spend; 1.67 would be "67 % more"). -#}
with

tenure_years as (

    select * from {{ ref('int_customer_tenure_years') }}
    where is_complete

),

per_year as (

    select
        tenure_year,
        count(*) as eligible_customers,
        sum(case when is_active then 1 else 0 end) as active_customers,
        sum(purchases) as purchases,
        sum(net_revenue_base) as net_revenue_base

    from tenure_years
    group by tenure_year

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
    averages.tenure_year,
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
