{#- Money is stored as decimal cents so sums reconcile exactly across engines. -#}
{% macro money(amount_expr) -%}
    cast(round({{ amount_expr }}, 2) as decimal(18, 2))
{%- endmacro %}
