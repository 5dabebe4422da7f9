{#- A 64-bit hash of a row's content, used to tell exact duplicates from conflicting ones. Only
    compared within one build on one engine, so each engine uses its native row hash (an md5 of
    the concatenated text cost more than the rest of staging). -#}
{% macro content_hash(columns) -%}
    {{ return(adapter.dispatch('content_hash', 'retention_warehouse')(columns)) }}
{%- endmacro %}

{% macro duckdb__content_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{#- Spark's hashes skip nulls, so (a, null) and (null, a) would collide: nulls become a marker. -#}
{% macro default__content_hash(columns) -%}
    xxhash64(
        {%- for column in columns %}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>'){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
