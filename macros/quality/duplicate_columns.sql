{#- Window columns for duplicate handling on a raw table keyed by `key_column`:
    `duplicate_rank` numbers the copies of a key (1 = kept), and `has_conflicting_duplicate` is true
    when copies of the key differ in content. Both engines lack count(distinct) over windows,
    hence min/max of the hash. Expects a `content_hash` column. -#}
{% macro duplicate_columns(key_column) -%}
    row_number() over (
        partition by {{ key_column }} order by content_hash
    ) as duplicate_rank,
    min(content_hash) over (partition by {{ key_column }})
    != max(content_hash) over (partition by {{ key_column }}) as has_conflicting_duplicate
{%- endmacro %}
