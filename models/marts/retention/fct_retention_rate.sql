{#- The retention rate of the retention playbooks: (CE - CN) / CS, as a fraction (x 100 for
    percent): CE customers at the end of the period, CN new customers acquired in it, CS customers
    at the start. Customers who come back after lapsing count in CE but not in CS, so this rate can
    exceed 1; strict_retention_rate (retained / CS) cannot. The counts: int_retention__period_counts. -#}
with

period_counts as (

    select * from {{ ref('int_retention__period_counts') }}

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
    {{ safe_divide('(customers_at_end - new_customers)', 'customers_at_start') }} as retention_rate,
    {{ strict_retention_rate('retained_customers', 'customers_at_start') }} as strict_retention_rate,
    {{ safe_divide('lost_customers', 'customers_at_start') }} as churn_rate

from period_counts
