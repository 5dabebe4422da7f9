with

source as (

    select * from {{ source('shop', 'customers') }}

),

typed as (

    select
        customer_id,
        upper(country) as country_code,
        lower(acquisition_channel) as acquisition_channel,
        try_cast(signup_at as timestamp) as signed_up_at_utc,
        signup_at as signed_up_at_raw,
        {{ content_hash(['customer_id', 'signup_at', 'country', 'acquisition_channel']) }} as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'customer_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'customer_id') }}

),

validated as (

    select
        *,
        case
            when customer_id is null then 'missing_customer_id'
            when signed_up_at_raw is not null and signed_up_at_utc is null then 'unparseable_date'
            when has_conflicting_duplicate then 'conflicting_duplicate'
            when duplicate_rank > 1 then 'exact_duplicate'
        end as quarantine_reason

    from ranked

)

select
    {{ raw_row_key('customer_id') }} as raw_row_key,
    customer_id,
    country_code,
    acquisition_channel,
    quarantine_reason,
    signed_up_at_utc,
    signed_up_at_raw

from validated
