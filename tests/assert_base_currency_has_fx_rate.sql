-- The base_currency var must be a currency of the fx_rates seed.
with

base_rate as (

    select count(*) as rates
    from {{ ref('fx_rates') }}
    where currency_code = '{{ var("base_currency") | upper }}'

)

select rates
from base_rate
where rates != 1
