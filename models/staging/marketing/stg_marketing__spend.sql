with

spend as (

    select * from {{ ref('base_marketing__spend') }}
    where quarantine_reason is null

)

select
    {{ dbt.concat(["cast(spend_date as " ~ dbt.type_string() ~ ")", "'/'", "channel"]) }} as spend_id,
    channel,
    {{ convert_to_base('spend_amount', 'rate_to_base') }} as spend_amount_base,
    spend_date

from spend
