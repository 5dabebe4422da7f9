{#- Money is stored as decimal cents so sums reconcile exactly across engines. -#}
{% macro money(amount_expr) -%}
    cast(round({{ amount_expr }}, 2) as decimal(18, 2))
{%- endmacro %}

{#- Converts an amount landed as a double into base-currency cents. The product is taken in
    decimals so that the rounded cent is the same on every engine (rounding a double product
    depends on each engine's float rounding). decimal(20, 2) x decimal(17, 8) is exact on both:
    DuckDB widens to decimal(38, 10) once an operand exceeds 18 digits, and Spark keeps the full
    scale while p1 + p2 + 1 <= 38. The rate comes from fx_rates_to_base as decimal(17, 8). -#}
{% macro convert_to_base(amount_expr, rate_expr) -%}
    {{ money('cast(' ~ amount_expr ~ ' as decimal(20, 2)) * ' ~ rate_expr) }}
{%- endmacro %}
