{#- Settings of the CLV fit, read from vars (docs/clv.md) and validated at compile time. -#}

{#- Days per unit of recency, age and BG/NBD rates: 1 for `day`, 7 for `week`. -#}
{% macro clv_time_unit_days() -%}
    {%- set units = {'day': 1, 'week': 7} -%}
    {%- set unit = var('clv_time_unit') | lower -%}
    {%- if unit not in units -%}
        {{ exceptions.raise_compiler_error("var 'clv_time_unit' must be day or week, got '" ~ unit ~ "'") }}
    {%- endif -%}
    {{ return(units[unit]) }}
{%- endmacro %}

{#- Whole months of customer age in `days_expr` days; a month of age is 365.25 / 12 days, the
    same length on every engine and in every calendar month. -#}
{% macro clv_age_months(days_expr) -%}
    cast(floor({{ days_expr }} / 30.4375) as {{ dbt.type_int() }})
{%- endmacro %}
