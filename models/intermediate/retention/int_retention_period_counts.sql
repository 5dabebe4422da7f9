{#- Customer counts behind the retention rate, one row per period. Sets: S active at the start,
    E active at the end (trailing `active_window_days`), N first purchase in the period. -#}
with

customer_periods as (

    select * from {{ ref('int_customer_periods') }}

)

select
    period_start,
    period_end,
    is_complete,
    sum(case when is_active_at_start then 1 else 0 end) as customers_at_start,
    sum(case when period_number = 0 then 1 else 0 end) as new_customers,
    sum(case when is_active_at_end then 1 else 0 end) as customers_at_end,
    sum(case when is_active_at_start and is_active_at_end then 1 else 0 end) as retained_customers,
    sum(
        case when not is_active_at_start and is_active_at_end and period_number > 0 then 1 else 0 end
    ) as reactivated_customers,
    sum(case when is_active_at_start and not is_active_at_end then 1 else 0 end) as lost_customers

from customer_periods
group by period_start, period_end, is_complete
