{#- Select bodies shared by the staging models that are incremental by landing month
    (docs/orchestration.md, *Incremental staging*). `table` is a `shop` source partitioned by
    `order_month`; `key_column` identifies a row and its copies. -#}

{#- Rows from files the model has not processed yet. -#}
{% macro new_landed_rows(table, key_column) -%}
    select
        {{ key_column }},
        order_month

    from {{ source('shop', table) }}
    where {{ landed_file(table) }} not in (select distinct landed_file from {{ this }})
{%- endmacro %}

{#- The landing months to rebuild: those of the new rows, those holding any row whose
    `column` is in a `touched` relation (pairs of relation and column), and, when a row without a
    key is new, every month holding such rows: they are numbered among themselves. -#}
{% macro landing_batch_months(table, key_column, new_rows, touched) -%}
    select order_month from {{ new_rows }}
    {%- for relation, column in touched %}
    union
    select landed.order_month
    from {{ source('shop', table) }} as landed
    inner join {{ relation }}
        on landed.{{ column }} = {{ relation }}.{{ column }}
    {%- endfor %}
    union
    select order_month from {{ source('shop', table) }}
    where {{ key_column }} is null and (select count(*) from {{ new_rows }} where {{ key_column }} is null) > 0
{%- endmacro %}

{#- Filter for the rows a rebuilt month is ranked against: every copy of its keys, wherever it
    landed, and every row without a key. -#}
{% macro copies_of_batch_keys(table, key_column, batch_months) -%}
    where
        {{ key_column }} in (
            select landed.{{ key_column }}
            from {{ source('shop', table) }} as landed
            inner join {{ batch_months }}
                on landed.order_month = {{ batch_months }}.order_month
        )
        or {{ key_column }} is null
{%- endmacro %}
