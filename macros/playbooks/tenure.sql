{#- Tenure years are 365-day blocks after the first purchase (leap days ignored): day d, counted
    from 0 on the first purchase date, is in tenure year floor(d / 365) + 1. These macros give the
    0-based index of that year, so every model splits tenure the same way. -#}
{% macro tenure_year_days() -%}
    365
{%- endmacro %}

{% macro tenure_year_index(days_expr) -%}
    cast(floor(({{ days_expr }}) / {{ tenure_year_days() }}) as {{ dbt.type_int() }})
{%- endmacro %}
