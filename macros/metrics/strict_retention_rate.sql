{#- Share of the customers at the start who are still customers at the end. -#}
{% macro strict_retention_rate(retained_customers, customers_at_start) -%}
    {{ safe_divide(retained_customers, customers_at_start) }}
{%- endmacro %}
