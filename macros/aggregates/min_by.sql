{#- The value of `value_expr` on the row with the smallest (`order_columns`...), as an aggregate:
    one hash aggregation instead of a row_number() window, which sorts every row. Ties on the
    first order column are broken by the next ones. -#}
{% macro min_by(value_expr, order_columns) -%}
    {{ return(adapter.dispatch('min_by', 'retention_warehouse')(value_expr, order_columns)) }}
{%- endmacro %}

{% macro default__min_by(value_expr, order_columns) -%}
    min_by({{ value_expr }}, struct({{ order_columns | join(', ') }}))
{%- endmacro %}

{% macro duckdb__min_by(value_expr, order_columns) -%}
    arg_min({{ value_expr }}, row({{ order_columns | join(', ') }}))
{%- endmacro %}
