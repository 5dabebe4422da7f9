with

quarantined as (

    {%- for validated in validated_tables() %}

        select
            '{{ validated.source }}.{{ validated.table }}' as source_table,
            raw_row_key,
            quarantine_reason

        from {{ ref(validated.base) }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}

    {%- endfor %}

)

select
    {{ dbt.concat(['source_table', "':'", 'raw_row_key']) }} as quarantined_row_id,
    source_table,
    raw_row_key,
    quarantine_reason

from quarantined
