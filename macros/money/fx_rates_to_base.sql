{#- Select body for an import CTE: one row per currency with its minor units and the factor that
    converts an amount into the `base_currency` var, as a decimal so that conversions round identically on every
    engine. The `assert_base_currency_has_fx_rate` test guards against an unknown base currency,
    which would otherwise quarantine every amount as unknown_currency. -#}
{% macro fx_rates_to_base() -%}
    {%- set base = checked_var('base_currency', '[A-Za-z]{3}', 'a three-letter currency code') | upper -%}
    select
        fx.currency_code,
        cast(fx.rate_to_usd / base_rate.rate_to_usd as decimal(17, 8)) as rate_to_base,
        fx.minor_units
    from {{ ref('fx_rates') }} as fx
    inner join {{ ref('fx_rates') }} as base_rate
        on base_rate.currency_code = '{{ base }}'
{%- endmacro %}
