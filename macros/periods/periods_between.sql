{#- Whole periods from one period start to another. Computed from calendar parts rather than
    datediff, because DuckDB's month datediff counts boundaries while Spark's counts whole months;
    on period starts both definitions agree with this one. -#}
{% macro periods_between(start_period, end_period, grain) -%}
    {%- if grain == 'week' -%}
        cast({{ dbt.datediff(start_period, end_period, 'day') }} / 7 as {{ dbt.type_int() }})
    {%- else -%}
        {%- set months -%}
            ((extract(year from {{ end_period }}) - extract(year from {{ start_period }})) * 12
            + extract(month from {{ end_period }}) - extract(month from {{ start_period }}))
        {%- endset -%}
        cast({{ months }} / {{ 3 if grain == 'quarter' else 1 }} as {{ dbt.type_int() }})
    {%- endif -%}
{%- endmacro %}
