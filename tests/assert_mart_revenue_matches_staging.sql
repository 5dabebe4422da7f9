-- Net revenue of completed orders is the same in staging and in every mart that reports it, to
-- the cent: lifetime revenue in dim_customers, revenue up to the analysis date in period marts.
with

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

staged as (

    select
        sum(orders.net_revenue_base) as lifetime_net_revenue_base,
        sum(
            case when orders.order_date <= analysis_date.as_of_date then orders.net_revenue_base else 0 end
        ) as to_date_net_revenue_base

    from {{ ref('stg_shop__orders') }} as orders
    cross join analysis_date

),

marts as (

    select
        'dim_customers' as mart,
        sum(dim_customers.net_revenue_base) as net_revenue_base,
        max(staged.lifetime_net_revenue_base) as expected_net_revenue_base
    from {{ ref('dim_customers') }} as dim_customers
    cross join staged
    union all
    select
        'fct_cohort_retention' as mart,
        sum(cohorts.net_revenue_base) as net_revenue_base,
        max(staged.to_date_net_revenue_base) as expected_net_revenue_base
    from {{ ref('fct_cohort_retention') }} as cohorts
    cross join staged
    union all
    select
        'fct_growth_accounting' as mart,
        sum(
            growth.new_revenue_base + growth.retained_revenue_base + growth.resurrected_revenue_base
        ) as net_revenue_base,
        max(staged.to_date_net_revenue_base) as expected_net_revenue_base
    from {{ ref('fct_growth_accounting') }} as growth
    cross join staged

)

select *
from marts
where net_revenue_base != expected_net_revenue_base
