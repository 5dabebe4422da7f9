{#- Select body for an import CTE: one row per currency with the factor that converts an amount
    into the `base_currency` var, as a decimal so that conversions round identically on every
    engine. The `assert_base_currency_has_fx_rate` test guards against an unknown base currency,
    which would otherwise quarantine every amount as unknown_currency. -#}
{% macro fx_rates_to_base() -%}
    {%- set base = var('base_currency') | upper -%}
    select
        fx.currency_code,
        cast(fx.rate_to_usd / base_rate.rate_to_usd as decimal(17, 8)) as rate_to_base
    from {{ ref('fx_rates') }} as fx
    inner join {{ ref('fx_rates') }} as base_rate
        on base_rate.currency_code = '{{ base }}'
{%- endmacro %}
