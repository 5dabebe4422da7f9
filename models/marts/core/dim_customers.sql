with

customers as (

    select * from {{ ref('stg_shop__customers') }}

),

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}

),

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

order_counts as (

    select
        customer_id,
        count(*) as orders,
        count(case when order_status = 'cancelled' then 1 end) as cancelled_orders,
        count(case when order_status = 'returned' then 1 end) as returned_orders

    from orders
    group by customer_id

)

select
    customers.customer_id,
    customers.country_code,
    customers.acquisition_channel,
    cohorts.first_purchase_platform,
    cohorts.cohort_period,
    coalesce(order_counts.orders, 0) as orders,
    coalesce(cohorts.purchases, 0) as completed_orders,
    coalesce(order_counts.cancelled_orders, 0) as cancelled_orders,
    coalesce(order_counts.returned_orders, 0) as returned_orders,
    {{ money('coalesce(cohorts.net_revenue_base, 0)') }} as net_revenue_base,
    {{ safe_divide('cohorts.net_revenue_base', 'cohorts.purchases') }}
        as average_order_value_base,
    cohorts.tenure_days,
    customers.signed_up_at,
    cohorts.first_purchase_date,
    cohorts.last_purchase_date

from customers
left join cohorts
    on customers.customer_id = cohorts.customer_id
left join order_counts
    on customers.customer_id = order_counts.customer_id
