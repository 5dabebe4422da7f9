{#- A select-list expression that expands one row into rows numbered 0..upper_expr. -#}
{% macro integer_series(upper_expr) -%}
    {{ return(adapter.dispatch('integer_series', 'retention_warehouse')(upper_expr)) }}
{%- endmacro %}

{% macro default__integer_series(upper_expr) -%}
    explode(sequence(0, {{ upper_expr }}))
{%- endmacro %}

{% macro duckdb__integer_series(upper_expr) -%}
    unnest(generate_series(0, {{ upper_expr }}))
{%- endmacro %}
