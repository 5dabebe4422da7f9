{#- Raw rows have no unique key (duplicates are what we look for), so a raw row is identified by
    its business key plus its rank among copies of that key. -#}
{% macro raw_row_key(key_column) -%}
    {{ dbt.concat(["coalesce(" ~ key_column ~ ", '<null>')", "'#'", "cast(duplicate_rank as " ~ dbt.type_string() ~ ")"]) }}
{%- endmacro %}
