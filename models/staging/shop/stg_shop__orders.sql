with

orders as (

    select * from {{ ref('base_shop__orders') }}
    where quarantine_reason is null

),

converted as (

    select
        order_id,
        customer_id,
        order_status,
        platform,
        currency_code,
        order_status = 'completed' as is_completed,
        {{ convert_to_base('gross_amount', 'rate_to_base') }} as gross_amount_base,
        {{ convert_to_base('discount_amount', 'rate_to_base') }} as discount_amount_base,
        {{ to_reporting_tz('ordered_at_utc') }} as ordered_at

    from orders

)

select
    order_id,
    customer_id,
    order_status,
    platform,
    currency_code,
    is_completed,
    gross_amount_base,
    discount_amount_base,
    case
        when is_completed then gross_amount_base - discount_amount_base
        else 0
    end as net_revenue_base,
    ordered_at,
    cast(ordered_at as date) as order_date

from converted
