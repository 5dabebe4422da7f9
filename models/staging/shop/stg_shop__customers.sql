with

customers as (

    select * from {{ ref('base_shop__customers') }}
    where quarantine_reason is null

)

select
    customer_id,
    country_code,
    acquisition_channel,
    {{ to_reporting_tz('signed_up_at_utc') }} as signed_up_at

from customers
