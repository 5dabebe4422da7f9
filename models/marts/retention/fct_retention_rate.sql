with

period_counts as (

    select * from {{ ref('int_retention_period_counts') }}

)

select
    period_start,
    period_end,
    is_complete,
    customers_at_start,
    new_customers,
    customers_at_end,
    retained_customers,
    reactivated_customers,
    lost_customers,
    {{ retention_rate('customers_at_end', 'new_customers', 'customers_at_start') }} as retention_rate,
    {{ strict_retention_rate('retained_customers', 'customers_at_start') }} as strict_retention_rate,
    {{ safe_divide('lost_customers', 'customers_at_start') }} as churn_rate

from period_counts
