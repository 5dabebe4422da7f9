-- Every customer with a purchase up to the analysis date belongs to exactly one cohort.
with

cohort_totals as (

    select sum(cohort_size) as customers
    from {{ ref('fct_cohort_retention') }}
    where period_number = 0

),

customers as (

    select count(*) as customers
    from {{ ref('dim_customers') }}
    where first_purchase_date <= {{ as_of_date() }}

)

select
    cohort_totals.customers as cohort_customers,
    customers.customers as purchasing_customers

from cohort_totals
cross join customers
where cohort_totals.customers != customers.customers
