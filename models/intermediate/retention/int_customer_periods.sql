{#- Dense customer x period spine, from each customer's first purchase period to the analysis
    period, so that "did not purchase" is a row and period-over-period comparisons are a lag.
    Only purchases up to the analysis date count: the marts are as they were known on that date.
    `is_active_at_end`: purchased within the trailing `active_window_days` up to the period end. -#}
{%- set window_days = var('active_window_days') | int -%}

with

purchases as (

    select * from {{ ref('int_purchases') }}
    where order_date <= {{ as_of_date() }}

),

customers as (

    select * from {{ ref('int_customer_cohorts') }}
    where tenure_days >= 0

),

periods as (

    select * from {{ ref('int_periods') }}

),

purchases_per_period as (

    select
        customer_id,
        order_period,
        count(*) as purchases,
        sum(net_revenue_base) as net_revenue_base,
        max(order_date) as last_purchase_date

    from purchases
    group by customer_id, order_period

),

spine as (

    select
        customers.customer_id,
        customers.cohort_period,
        periods.period_start,
        periods.period_end,
        periods.period_index,
        periods.is_complete,
        min(periods.period_index) over (partition by customers.customer_id) as first_period_index

    from customers
    inner join periods
        on customers.first_purchase_period <= periods.period_start

),

activity as (

    select
        spine.customer_id,
        spine.cohort_period,
        spine.period_start,
        spine.period_end,
        spine.period_index,
        spine.period_index - spine.first_period_index as period_number,
        spine.is_complete,
        coalesce(purchases_per_period.purchases, 0) as purchases,
        coalesce(purchases_per_period.net_revenue_base, 0) as net_revenue_base,
        max(purchases_per_period.last_purchase_date) over (
            partition by spine.customer_id
            order by spine.period_index
            rows between unbounded preceding and current row
        ) as last_purchase_date_to_date

    from spine
    left join purchases_per_period
        on
            spine.customer_id = purchases_per_period.customer_id
            and spine.period_start = purchases_per_period.order_period

),

flagged as (

    select
        *,
        purchases > 0 as is_active,
        last_purchase_date_to_date
        > {{ dbt.dateadd('day', -window_days, 'period_end') }} as is_active_at_end

    from activity

)

select
    {{ dbt.concat(['customer_id', "'/'", 'cast(period_index as ' ~ dbt.type_string() ~ ')']) }}
        as customer_period_id,
    customer_id,
    cohort_period,
    period_start,
    period_end,
    period_index,
    period_number,
    is_complete,
    is_active,
    is_active_at_end,
    coalesce(lag(is_active_at_end) over (
        partition by customer_id order by period_index
    ), false) as is_active_at_start,
    coalesce(lag(is_active) over (
        partition by customer_id order by period_index
    ), false) as was_active_previous_period,
    coalesce(lag(net_revenue_base) over (
        partition by customer_id order by period_index
    ), 0) as previous_period_net_revenue_base,
    purchases,
    net_revenue_base,
    last_purchase_date_to_date

from flagged
