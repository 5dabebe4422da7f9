{#- Duplicate handling on a raw table keyed by `key_column`, in two import-CTE bodies:

        duplicate_keys as ({{ duplicate_keys('typed', 'order_id') }}),
        ranked as ({{ rank_duplicates('typed', 'duplicate_keys', 'order_id') }}),

    `duplicate_rank` numbers the copies of a key (1 = kept) and `has_conflicting_duplicate` is true
    when copies of the key differ in content (min != max of the row's `content_hash`: neither
    engine has count(distinct) over a window). Keys are almost always unique, so only the rows of
    repeated keys are ranked with a window; sorting every row by key cost twice as much. Rows
    without a key are ranked among themselves, so each still gets its own raw_row_key. -#}
{% macro duplicate_keys(relation, key_column) -%}
    select
        {{ key_column }},
        min(content_hash) != max(content_hash) as has_conflicting_duplicate

    from {{ relation }}
    where {{ key_column }} is not null
    group by {{ key_column }}
    having count(*) > 1
{%- endmacro %}

{#- `order_by` breaks ties between identical copies, so the same copy is kept in every build. -#}
{% macro rank_duplicates(relation, duplicate_keys, key_column, order_by=['content_hash']) -%}
    select
        {{ relation }}.*,
        1 as duplicate_rank,
        false as has_conflicting_duplicate

    from {{ relation }}
    left join {{ duplicate_keys }}
        on {{ relation }}.{{ key_column }} = {{ duplicate_keys }}.{{ key_column }}
    where {{ relation }}.{{ key_column }} is not null and {{ duplicate_keys }}.{{ key_column }} is null

    union all

    select
        {{ relation }}.*,
        row_number() over (
            partition by {{ relation }}.{{ key_column }}
            order by {% for column in order_by %}{{ relation }}.{{ column }}{{ ", " if not loop.last }}{% endfor %}
        ) as duplicate_rank,
        coalesce({{ duplicate_keys }}.has_conflicting_duplicate, false) as has_conflicting_duplicate

    from {{ relation }}
    left join {{ duplicate_keys }}
        on {{ relation }}.{{ key_column }} = {{ duplicate_keys }}.{{ key_column }}
    where {{ relation }}.{{ key_column }} is null or {{ duplicate_keys }}.{{ key_column }} is not null
{%- endmacro %}
