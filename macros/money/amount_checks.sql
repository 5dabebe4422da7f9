{#- Row checks for landed amounts (doubles), shared by every base_ model holding money. A row that
    fails one is quarantined with its reason instead of failing the cast to the money type or
    being rounded. -#}

{#- True when the amount, converted at `rate_expr`, does not fit the money type decimal(18, 2),
    and for NaN and infinities (NaN compares above every number on DuckDB and Spark). -#}
{% macro money_out_of_range(amount_expr, rate_expr) -%}
    not (abs(({{ amount_expr }}) * ({{ rate_expr }})) < 1e16)
{%- endmacro %}

{#- True when the amount has more decimals than the currency's minor units (cents: 2). Landed
    doubles of two-decimal amounts are within a few ulps of a whole number of cents; the
    tolerance grows with the size so that large valid amounts never trip it. -#}
{% macro has_sub_minor_unit(amount_expr, minor_units_expr) -%}
    {%- set scaled = '(' ~ amount_expr ~ ') * power(10, ' ~ minor_units_expr ~ ')' -%}
    abs({{ scaled }} - round({{ scaled }})) > greatest(1e-6, abs({{ scaled }}) * 1e-12)
{%- endmacro %}
