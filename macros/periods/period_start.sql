{#- First day of the period containing `date_expr`, as a date. date_trunc returns a timestamp on
    both DuckDB and Spark, hence the cast. Weeks start on Monday on both engines. -#}
{% macro period_start(date_expr, grain) -%}
    cast({{ dbt.date_trunc(grain, date_expr) }} as date)
{%- endmacro %}

{#- Last day of the period that starts at `period_start_expr`. -#}
{% macro period_end(period_start_expr, grain) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, period_start_expr)) }} as date)
{%- endmacro %}
