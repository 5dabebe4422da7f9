{#- Dense customer x tenure-year spine. Tenure year y covers days [365 (y - 1), 365 y) after the
    first purchase (day 0 = first purchase date; 365-day years, leap days ignored). A tenure year
    is complete when its last day, 365 y - 1, is on or before the analysis date. Purchases after
    the analysis date are ignored (macros/playbooks/tenure.sql). -#}

with

cohorts as (

    select * from {{ ref('int_customer_cohorts') }}

),

purchases as (

    select * from {{ ref('int_purchases') }}

),

analysis_date as (

    select {{ as_of_date() }} as as_of_date

),

customers as (

    select
        cohorts.customer_id,
        cohorts.first_purchase_date,
        cohorts.tenure_days as observed_days

    from cohorts
    where cohorts.tenure_days >= 0

),

spine as (

    select
        customer_id,
        first_purchase_date,
        observed_days,
        {{ integer_series(tenure_year_index('observed_days')) }} as tenure_year_index

    from customers

),

purchase_years as (

    select
        purchases.customer_id,
        purchases.net_revenue_base,
        {{ tenure_year_index(dbt.datediff('customers.first_purchase_date', 'purchases.order_date', 'day')) }}
            as tenure_year_index

    from purchases
    inner join customers
        on purchases.customer_id = customers.customer_id
    cross join analysis_date
    where purchases.order_date <= analysis_date.as_of_date

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
    {{ dbt.concat([
        'spine.customer_id', "'/'", 'cast(spine.tenure_year_index + 1 as ' ~ dbt.type_string() ~ ')',
    ]) }} as customer_tenure_year_id,
    spine.customer_id,
    spine.tenure_year_index + 1 as tenure_year,
    spine.observed_days >= {{ tenure_year_days() }} * (spine.tenure_year_index + 1) - 1 as is_complete,
    coalesce(purchases_per_year.purchases, 0) > 0 as is_active,
    coalesce(purchases_per_year.purchases, 0) as purchases,
    coalesce(purchases_per_year.net_revenue_base, 0) as net_revenue_base,
    cast(
        {{ dbt.dateadd(
            'day', tenure_year_days() ~ ' * spine.tenure_year_index', 'spine.first_purchase_date'
        ) }} as date
    ) as tenure_year_start_date

from spine
left join purchases_per_year
    on
        spine.customer_id = purchases_per_year.customer_id
        and spine.tenure_year_index = purchases_per_year.tenure_year_index
