{#- The landing zone is a folder of Parquet files (docs/architecture.md). Each table becomes a
    relation in the `raw` schema so that dbt sources, freshness checks and tests read it like any
    warehouse table. Partitioned tables carry their `<column>=value` folder (order_month=YYYY-MM) as
    that column. -#}
{#- The landing tables, from the sources YAML (`meta.landing`): name -> partition column or none.
    Read from the graph, so only at execution (hooks and operations). -#}
{% macro landing_tables() %}
    {%- set tables = {} -%}
    {%- for source in graph.sources.values() if source.config.meta.landing is defined -%}
        {%- do tables.update({source.name: source.config.meta.landing.partition_column}) -%}
    {%- endfor -%}
    {{ return(tables) }}
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
    {%- set threads = env_var('RW_DUCKDB_THREADS', '') -%}
    {%- set temp_dir = env_var('RW_DUCKDB_TEMP_DIR', '') -%}
    {%- if threads %}
    set threads = {{ threads | int }};
    {%- endif %}
    {%- if temp_dir and run_query("select current_setting('temp_directory')").columns[0].values()[0] != temp_dir %}
    set temp_directory = {{ string_literal(temp_dir) }};
    {%- endif %}
    create schema if not exists raw;
    {%- for table, partition_column in landing_tables().items() %}
    create or replace view raw.{{ table }} as
    select *, filename as landed_path from read_parquet(
        {{ string_literal(landing_dir() ~ '/' ~ table ~ '/' ~ ('*/' if partition_column else '') ~ '*.parquet') }},
        hive_partitioning = {{ 'true' if partition_column else 'false' }},
        hive_types_autocast = false
    );
    {%- endfor %}
{% endmacro %}

{#- Spark: external Parquet tables over the landing folders. Spark runs one statement per call,
    so the statements run here and the hook itself is empty. Tables are dropped and re-created on
    every run (dropping an external table keeps its files) so that a changed RW_RAW_DIR or schema
    is picked up; partition folders are then registered in the metastore. Partition values stay
    strings, as on DuckDB (`2024-03` would otherwise be read as a date). -#}
{% macro spark__register_landing_tables() %}
    {%- set raw_dir = landing_dir() -%}
    {%- if not (raw_dir.startswith('/') or ':' in raw_dir) -%}
        {{ exceptions.raise_compiler_error(
            "RW_RAW_DIR must be an absolute path or URI on Spark, got '" ~ raw_dir ~ "'") }}
    {%- endif -%}
    {%- do run_query('set spark.sql.sources.partitionColumnTypeInference.enabled = false') -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for table, partition_column in landing_tables().items() -%}
        {%- do run_query('drop table if exists raw.' ~ table) -%}
        {%- do run_query(
            "create table raw." ~ table ~ " using parquet location " ~ string_literal(raw_dir ~ "/" ~ table)) -%}
        {%- if partition_column -%}
            {%- do run_query('msck repair table raw.' ~ table) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#- Path of the landed file a raw row came from, relative to the table's landing folder (for
    example `order_month=2024-03/part-00000.parquet`): incremental staging rebuilds the landing
    months that hold rows from files it has not processed yet. DuckDB names each file as the
    landing glob spelled it, so the folder prefix is cut off by length. -#}
{% macro landed_file(table) -%}
    {{ return(adapter.dispatch('landed_file', 'retention_warehouse')(table)) }}
{%- endmacro %}

{% macro duckdb__landed_file(table) -%}
    substr(landed_path, {{ (landing_dir() ~ '/' ~ table ~ '/') | length + 1 }})
{%- endmacro %}

{% macro default__landed_file(table) -%}
    regexp_extract(input_file_name(), '.*/{{ table }}/(.*)$', 1)
{%- endmacro %}
