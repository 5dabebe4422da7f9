{#- Tenure years are 365-day blocks after the first purchase (leap days ignored): day d, counted
    from 0 on the first purchase date, is in tenure year floor(d / 365) + 1. These macros give the
    0-based index of that year, so every model splits tenure the same way. -#}
{% macro tenure_year_days() -%}
    365
{%- endmacro %}

{% macro tenure_year_index(days_expr) -%}
    cast(floor(({{ days_expr }}) / {{ tenure_year_days() }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- Whole tenure years observed after `observed_days` days (0 on the first purchase date): year y
    is complete once its last day, 365 y - 1, is observed. -#}
{% macro completed_tenure_years(observed_days_expr) -%}
    {{ tenure_year_index('(' ~ observed_days_expr ~ ') + 1') }}
{%- endmacro %}
