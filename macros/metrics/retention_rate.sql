{#- Retention rate of the retention playbooks: (CE - CN) / CS, as a fraction (x 100 for percent).
    CE customers at the end of the period, CN new customers acquired in it, CS customers at the
    start. Customers who come back after lapsing count in CE but not in CS, so this rate can
    exceed 1; `strict_retention_rate` below cannot. -#}
{% macro retention_rate(customers_at_end, new_customers, customers_at_start) -%}
    {{ safe_divide('(' ~ customers_at_end ~ ' - ' ~ new_customers ~ ')', customers_at_start) }}
{%- endmacro %}

{#- Share of the customers at the start who are still customers at the end. -#}
{% macro strict_retention_rate(retained_customers, customers_at_start) -%}
    {{ safe_divide(retained_customers, customers_at_start) }}
{%- endmacro %}
