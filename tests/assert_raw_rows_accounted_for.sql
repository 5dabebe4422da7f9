-- Every landed row is either staged or quarantined with a reason: nothing is silently dropped.
with

row_counts as (

    {%- for validated in validated_tables() %}

        select
            '{{ validated.source }}.{{ validated.table }}' as source_table,
            count(*) as raw_rows,
            0 as staged_rows
        from {{ source(validated.source, validated.table) }}
        union all
        select
            '{{ validated.source }}.{{ validated.table }}' as source_table,
            0 as raw_rows,
            count(*) as staged_rows
        from {{ ref(validated.staging) }}
        union all

    {%- endfor %}

    select
        source_table,
        0 as raw_rows,
        0 as staged_rows
    from {{ ref('fct_quarantined_rows') }}
    where false

),

quarantined as (

    select
        source_table,
        count(*) as quarantined_rows
    from {{ ref('fct_quarantined_rows') }}
    group by source_table

),

per_table as (

    select
        source_table,
        sum(raw_rows) as raw_rows,
        sum(staged_rows) as staged_rows
    from row_counts
    group by source_table

)

select
    per_table.source_table,
    per_table.raw_rows,
    per_table.staged_rows,
    coalesce(quarantined.quarantined_rows, 0) as quarantined_rows

from per_table
left join quarantined
    on per_table.source_table = quarantined.source_table
where per_table.raw_rows != per_table.staged_rows + coalesce(quarantined.quarantined_rows, 0)
