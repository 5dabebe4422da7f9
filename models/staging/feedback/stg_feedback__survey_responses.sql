with

responses as (

    select * from {{ ref('base_feedback__survey_responses') }}
    where quarantine_reason is null

),

converted as (

    select
        response_id,
        customer_id,
        nps_score,
        csat_score,
        cancellation_reason,
        {{ to_reporting_tz('responded_at_utc') }} as responded_at

    from responses

)

select
    response_id,
    customer_id,
    cancellation_reason,
    nps_score,
    csat_score,
    responded_at,
    cast(responded_at as date) as response_date

from converted
