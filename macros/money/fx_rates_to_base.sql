{#- Select body for an import CTE: one row per currency with the factor that converts an amount
    into the `base_currency` var. Unknown base currencies fail loudly instead of yielding nulls. -#}
{% macro fx_rates_to_base() -%}
    {%- set base = var('base_currency') | upper -%}
    select
        fx.currency_code,
        fx.rate_to_usd / base_rate.rate_to_usd as rate_to_base
    from {{ ref('fx_rates') }} as fx
    inner join {{ ref('fx_rates') }} as base_rate
        on base_rate.currency_code = '{{ base }}'
{%- endmacro %}
