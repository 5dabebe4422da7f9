with

source as (

    select * from {{ source('shop', 'products') }}

),

typed as (

    select
        product_id,
        product_name,
        lower(category) as category,
        unit_cost,
        list_price,
        {{ content_hash(['product_id', 'product_name', 'category', 'unit_cost', 'list_price']) }} as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'product_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'product_id') }}

),

validated as (

    select
        *,
        case
            when product_id is null then 'missing_product_id'
            when unit_cost < 0 or list_price < 0 then 'negative_amount'
            {#- catalog prices are US dollars (stg_shop__products) #}
            when {{ money_out_of_range('unit_cost', 1) }} or {{ money_out_of_range('list_price', 1) }}
                then 'amount_out_of_range'
            when has_conflicting_duplicate then 'conflicting_duplicate'
            when duplicate_rank > 1 then 'exact_duplicate'
        end as quarantine_reason

    from ranked

)

select
    {{ raw_row_key('product_id') }} as raw_row_key,
    product_id,
    product_name,
    category,
    quarantine_reason,
    unit_cost,
    list_price

from validated
