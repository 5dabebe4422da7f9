{#- The single definition of a purchase: a completed order. Every retention, CLV and churn model
    counts purchases from here. -#}
with

orders as (

    select * from {{ ref('stg_shop__orders') }}
    where is_completed

)

select
    order_id,
    customer_id,
    platform,
    net_revenue_base,
    ordered_at,
    order_date,
    {{ period_start('order_date', grain_var('period_grain')) }} as order_period

from orders
