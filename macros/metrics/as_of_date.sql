{#- The analysis date of point-in-time models: the `as_of_date` var, else the last purchase date.
    A scalar subquery, so it works inside any select on every engine. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        (select max(order_date) from {{ ref('int_purchases') }})
    {%- endif -%}
{%- endmacro %}
