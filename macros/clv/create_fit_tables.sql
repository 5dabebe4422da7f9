{#- The tables the Python fit steps write (source `clv_fit`), created empty when missing, so that a
    plain `dbt build` runs on a fresh warehouse: the CLV and churn predictions stay empty until
    `retention-warehouse build` (or `fit-clv`) fits. Columns and types are the source's YAML. -#}
{% macro create_fit_tables() %}
    {%- if execute -%}
        {%- set tables = graph.sources.values() | selectattr('source_name', 'equalto', 'clv_fit') | list -%}
        {%- do run_query('create schema if not exists ' ~ tables[0].schema) -%}
        {%- for table in tables -%}
            {%- set columns = [] -%}
            {%- for column in table.columns.values() -%}
                {%- do columns.append(column.name ~ ' ' ~ column.data_type) -%}
            {%- endfor -%}
            {%- do run_query(
                'create table if not exists ' ~ table.schema ~ '.' ~ table.name
                ~ ' (' ~ columns | join(', ') ~ ')' ~ fit_table_format()
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{% macro fit_table_format() %}
    {{ return(adapter.dispatch('fit_table_format', 'retention_warehouse')()) }}
{% endmacro %}

{% macro default__fit_table_format() %}
    {{ return('') }}
{% endmacro %}

{#- Parquet, as the fit steps write it (Delta and Iceberg jars are not assumed). -#}
{% macro spark__fit_table_format() %}
    {{ return(' using parquet') }}
{% endmacro %}
