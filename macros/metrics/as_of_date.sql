{#- The analysis date of point-in-time models: the `as_of_date` var, else the last purchase date.
    A scalar subquery, so it works inside any select on every engine. -#}
{% macro as_of_date() -%}
    {%- if date_var('as_of_date') -%}
        {{ date_var('as_of_date') }}
    {%- else -%}
        (select max(order_date) from {{ ref('int_purchases') }})
    {%- endif -%}
{%- endmacro %}
