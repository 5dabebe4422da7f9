{#- Share of each cancellation reason among exit-survey answers, per period (`period_grain`) and
    acquisition channel. Shares of a period and channel sum to 1. -#}
with

responses as (

    select * from {{ ref('int_feedback__survey_responses') }}
    where cancellation_reason is not null

),

reason_counts as (

    select
        period_start,
        acquisition_channel,
        cancellation_reason,
        count(*) as responses

    from responses
    group by period_start, acquisition_channel, cancellation_reason

),

with_totals as (

    select
        *,
        cast(sum(responses) over (partition by period_start, acquisition_channel) as bigint) as segment_responses

    from reason_counts

)

select
    {{ dbt.concat([
        'cast(period_start as ' ~ dbt.type_string() ~ ')', "'/'",
        "coalesce(acquisition_channel, 'unknown')", "'/'", 'cancellation_reason',
    ]) }} as churn_reason_id,
    period_start,
    acquisition_channel,
    cancellation_reason,
    responses,
    segment_responses,
    {{ safe_divide('responses', 'segment_responses') }} as reason_share

from with_totals
