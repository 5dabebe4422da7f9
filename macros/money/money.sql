{#- Money is stored as decimal cents so sums reconcile exactly across engines. -#}
{% macro money(amount_expr) -%}
    cast(round({{ amount_expr }}, 2) as decimal(18, 2))
{%- endmacro %}

{#- Converts an amount landed as a double into base-currency cents. The product is taken in
    decimals (amount to 6 places, rate to 8) so that the rounded cent is the same on every engine;
    rounding a double product depends on each engine's float rounding. -#}
{% macro convert_to_base(amount_expr, rate_expr) -%}
    {{ money('cast(' ~ amount_expr ~ ' as decimal(18, 6)) * ' ~ rate_expr) }}
{%- endmacro %}
