with

products as (

    select * from {{ ref('base_shop__products') }}
    where quarantine_reason is null

),

fx_rates as (

    {{ fx_rates_to_base() }}

),

usd as (

    select rate_to_base from fx_rates
    where currency_code = 'USD'

)

select
    products.product_id,
    products.product_name,
    products.category,
    {{ convert_to_base('products.unit_cost', 'usd.rate_to_base') }} as unit_cost_base,
    {{ convert_to_base('products.list_price', 'usd.rate_to_base') }} as list_price_base

from products
cross join usd
