{{ config(materialized='view') }}
{#- Usable order lines with the category and unit cost of their product: the one join of lines to
    products, for every model that needs what was bought. A view: each reader's query inlines it,
    so the two to three lines per order are not written out a second time. -#}
with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}

),

products as (

    select * from {{ ref('stg_shop__products') }}

)

select
    order_items.order_item_id,
    order_items.order_id,
    order_items.product_id,
    products.category,
    order_items.quantity,
    order_items.quantity * products.unit_cost_base as line_cost_base

from order_items
left join products
    on order_items.product_id = products.product_id
