with

source as (

    select * from {{ source('feedback', 'survey_responses') }}

),

customers as (

    select customer_id from {{ ref('base_shop__customers') }}
    where quarantine_reason is null

),

typed as (

    select
        response_id,
        customer_id,
        nps_score,
        csat_score,
        lower(cancellation_reason) as cancellation_reason,
        try_cast(responded_at as timestamp) as responded_at_utc,
        responded_at as responded_at_raw,
        {{ content_hash([
            'response_id', 'customer_id', 'responded_at', 'nps_score', 'csat_score', 'cancellation_reason',
        ]) }} as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'response_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'response_id') }}

),

validated as (

    select
        ranked.*,
        case
            when ranked.response_id is null then 'missing_response_id'
            when ranked.customer_id is null then 'missing_customer'
            when ranked.responded_at_utc is null then 'unparseable_date'
            when ranked.responded_at_utc > {{ dbt.current_timestamp() }} then 'future_date'
            when
                ranked.nps_score not between 0 and 10
                or ranked.csat_score not between 1 and 5 then 'invalid_score'
            when
                ranked.nps_score is null
                and ranked.csat_score is null
                and ranked.cancellation_reason is null then 'empty_response'
            when ranked.has_conflicting_duplicate then 'conflicting_duplicate'
            when ranked.duplicate_rank > 1 then 'exact_duplicate'
            when customers.customer_id is null then 'unknown_customer'
        end as quarantine_reason

    from ranked
    left join customers
        on ranked.customer_id = customers.customer_id

)

select
    {{ raw_row_key('response_id') }} as raw_row_key,
    response_id,
    customer_id,
    cancellation_reason,
    quarantine_reason,
    nps_score,
    csat_score,
    responded_at_utc,
    responded_at_raw

from validated
