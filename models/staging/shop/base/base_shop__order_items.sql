with

source as (

    select * from {{ source('shop', 'order_items') }}

),

orders as (

    select
        order_id,
        rate_to_base,
        quarantine_reason

    from {{ ref('base_shop__orders') }}
    where duplicate_rank = 1

),

products as (

    select product_id from {{ ref('base_shop__products') }}
    where quarantine_reason is null

),

typed as (

    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        {{ content_hash(['order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price']) }} as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'order_item_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'order_item_id') }}

),

validated as (

    select
        ranked.*,
        orders.rate_to_base,
        case
            when ranked.order_item_id is null then 'missing_order_item_id'
            when ranked.quantity is null or ranked.quantity <= 0 then 'invalid_quantity'
            when ranked.unit_price is null or ranked.unit_price < 0 then 'invalid_amount'
            when ranked.has_conflicting_duplicate then 'conflicting_duplicate'
            when ranked.duplicate_rank > 1 then 'exact_duplicate'
            when orders.order_id is null then 'unknown_order'
            when orders.quarantine_reason is not null then 'order_quarantined'
            when products.product_id is null then 'unknown_product'
        end as quarantine_reason

    from ranked
    left join orders
        on ranked.order_id = orders.order_id
    left join products
        on ranked.product_id = products.product_id

)

select
    {{ raw_row_key('order_item_id') }} as raw_row_key,
    order_item_id,
    order_id,
    product_id,
    quarantine_reason,
    quantity,
    unit_price,
    rate_to_base

from validated
