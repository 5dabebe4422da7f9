{#- The landing zone is a folder of Parquet files (docs/architecture.md). Each table becomes a
    relation in the `raw` schema so that dbt sources, freshness checks and tests read it like any
    warehouse table. Partitioned tables carry their `order_month=YYYY-MM` folder as a column. -#}
{% macro landing_tables() %}
    {{ return({
        'customers': false,
        'products': false,
        'orders': true,
        'order_items': true,
        'marketing_spend': false,
        'survey_responses': false,
        'experiment_assignments': false,
    }) }}
{% endmacro %}

{% macro landing_dir() %}
    {{ return(env_var('RW_RAW_DIR', 'data/raw').rstrip('/')) }}
{% endmacro %}

{% macro register_landing_tables() %}
    {%- if execute -%}
        {{ return(adapter.dispatch('register_landing_tables', 'retention_warehouse')()) }}
    {%- endif -%}
{% endmacro %}

{% macro duckdb__register_landing_tables() %}
    create schema if not exists raw;
    {%- for table, partitioned in landing_tables().items() %}
    create or replace view raw.{{ table }} as
    select * from read_parquet(
        '{{ landing_dir() }}/{{ table }}/{{ "*/" if partitioned }}*.parquet',
        hive_partitioning = {{ 'true' if partitioned else 'false' }},
        hive_types_autocast = false
    );
    {%- endfor %}
{% endmacro %}
