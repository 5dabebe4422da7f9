-- Every customer with a purchase up to the analysis date belongs to exactly one cohort.
with

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

cohort_totals as (

    select sum(cohort_size) as customers
    from {{ ref('fct_cohort_retention') }}
    where period_number = 0

),

customers as (

    select count(*) as customers
    from {{ ref('dim_customers') }}
    where first_purchase_date <= (select analysis_date.as_of_date from analysis_date)

)

select
    cohort_totals.customers as cohort_customers,
    customers.customers as purchasing_customers

from cohort_totals
cross join customers
where cohort_totals.customers != customers.customers
