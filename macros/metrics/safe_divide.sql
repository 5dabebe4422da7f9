{#- Ratio as a double, null when the denominator is zero (a rate of an empty group is unknown,
    not zero). -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}
