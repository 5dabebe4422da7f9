with

order_items as (

    select * from {{ ref('base_shop__order_items') }}
    where quarantine_reason is null

)

select
    order_item_id,
    order_id,
    product_id,
    quantity,
    {{ convert_to_base('unit_price', 'rate_to_base') }} as unit_price_base,
    {{ convert_to_base('quantity * unit_price', 'rate_to_base') }} as line_amount_base

from order_items
