{#- Customer x tenure year, for the tenure years in which the customer purchased. Tenure year y
    covers days [365 (y - 1), 365 y) after the first purchase (day 0 = first purchase date; 365-day
    years, leap days ignored). A tenure year is complete when its last day, 365 y - 1, is on or
    before the analysis date; a customer's complete years are counted by
    `completed_tenure_years()`. Purchases after the analysis date are ignored
    (macros/playbooks/tenure.sql). Years without a purchase have no row: counts of eligible
    customers come from the customers' complete years, not from a dense spine. -#}
with

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}
    where is_acquired_by_analysis_date

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

purchases as (

    select * from {{ ref('int_orders__purchases') }}
    where order_date <= (select analysis_date.as_of_date from analysis_date)

),

purchase_years as (

    select
        purchases.customer_id,
        purchases.net_revenue_base,
        {{ tenure_year_index(dbt.datediff('cohorts.first_purchase_date', 'purchases.order_date', 'day')) }}
            as tenure_year_index

    from purchases
    inner join cohorts
        on purchases.customer_id = cohorts.customer_id

),

purchases_per_year as (

    select
        customer_id,
        tenure_year_index,
        count(*) as purchases,
        sum(net_revenue_base) as net_revenue_base

    from purchase_years
    group by customer_id, tenure_year_index

)

select
    purchases_per_year.customer_id,
    purchases_per_year.tenure_year_index + 1 as tenure_year,
    purchases_per_year.tenure_year_index < {{ completed_tenure_years('cohorts.tenure_days') }} as is_complete,
    purchases_per_year.purchases,
    purchases_per_year.net_revenue_base,
    cast(
        {{ dbt.dateadd(
            'day', tenure_year_days() ~ ' * purchases_per_year.tenure_year_index', 'cohorts.first_purchase_date'
        ) }} as date
    ) as tenure_year_start_date

from purchases_per_year
inner join cohorts
    on purchases_per_year.customer_id = cohorts.customer_id
