{{ config(
    materialized='incremental',
    unique_key='order_month',
    partition_by=['order_month'] if target.type == 'spark' else none,
) }}
{#- Every raw order-line row, typed and checked against orders and products, with its quarantine
    reason. Incremental by landing month like base_shop__orders: a run rebuilds the months holding
    a line from a file it has not processed, every other copy of those lines, the lines of the
    orders base_shop__orders rebuilt in this run, and lines whose product was quarantined or
    landed since. -#}
with

source as (

    select
        *,
        {{ landed_file('order_items') }} as landed_file

    from {{ source('shop', 'order_items') }}

),

orders as (

    select
        order_id,
        rate_to_base,
        minor_units,
        quarantine_reason

    from {{ ref('base_shop__orders') }}
    where duplicate_rank = 1

),

products as (

    select product_id from {{ ref('base_shop__products') }}
    where quarantine_reason is null

),

{% if is_incremental() %}

new_rows as (

    {{ new_landed_rows('order_items', 'order_item_id') }}

),

rechecked_items as (

    {#- Lines whose reason changes without a new row: their product landed or was quarantined since. #}
    select processed.order_item_id

    from {{ this }} as processed
    left join products
        on processed.product_id = products.product_id
    where
        (processed.quarantine_reason is null and products.product_id is null)
        or (processed.quarantine_reason = 'unknown_product' and products.product_id is not null)

),

touched_items as (

    select order_item_id from new_rows
    where order_item_id is not null
    union
    select order_item_id from rechecked_items

),

rebuilt_orders as (

    select distinct order_id from {{ ref('base_shop__orders') }}
    where batch_id = '{{ invocation_id }}' and order_id is not null

),

batch_months as (

    {{ landing_batch_months(
        'order_items', 'order_item_id', 'new_rows',
        [('touched_items', 'order_item_id'), ('rebuilt_orders', 'order_id')],
    ) }}

),

{% endif %}

ranking_scope as (

    select * from source
    {%- if is_incremental() %}
    {{ copies_of_batch_keys('order_items', 'order_item_id', 'batch_months') }}
    {%- endif %}

),

typed as (

    select
        order_item_id,
        order_id,
        product_id,
        order_month,
        landed_file,
        quantity,
        unit_price,
        {{ content_hash(['order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price']) }} as content_hash

    from ranking_scope

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'order_item_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'order_item_id', ['content_hash', 'landed_file']) }}

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
            when {{ money_out_of_range('ranked.quantity * ranked.unit_price', 'orders.rate_to_base') }}
                then 'amount_out_of_range'
            {#- unit prices may have fractions of a cent (3 for 10.00); the line amount may not #}
            when {{ has_sub_minor_unit('ranked.quantity * ranked.unit_price', 'orders.minor_units') }}
                then 'sub_minor_unit_amount'
            when products.product_id is null then 'unknown_product'
        end as quarantine_reason

    from ranked
    left join orders
        on ranked.order_id = orders.order_id
    left join products
        on ranked.product_id = products.product_id
    {%- if is_incremental() %}
    where ranked.order_month in (select order_month from batch_months)
    {%- endif %}

)

select
    {{ raw_row_key('order_item_id') }} as raw_row_key,
    order_item_id,
    order_id,
    product_id,
    quarantine_reason,
    quantity,
    unit_price,
    rate_to_base,
    order_month,
    landed_file,
    '{{ invocation_id }}' as batch_id

from validated
