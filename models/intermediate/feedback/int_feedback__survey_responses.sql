{#- Survey responses up to the analysis date with their reporting period, survey type and the
    customer segment they are reported under. A response with a cancellation reason is an exit
    survey (the only marker of one in the landing contract); any other is a post-order survey.
    The segment is the acquisition channel: it is fixed at acquisition, so it is valid for a
    response of any month (a churn-risk segment is a snapshot at the analysis date and would
    relabel past answers). -#}
with

responses as (

    select * from {{ ref('stg_feedback__survey_responses') }}

),

customers as (

    select * from {{ ref('stg_shop__customers') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

)

select
    responses.response_id,
    responses.customer_id,
    customers.acquisition_channel,
    case
        when responses.cancellation_reason is not null then 'exit'
        else 'post_order'
    end as survey_type,
    responses.cancellation_reason,
    responses.nps_score,
    responses.csat_score,
    {{ period_start('responses.response_date', grain_var('period_grain')) }} as period_start,
    responses.response_date

from responses
inner join customers
    on responses.customer_id = customers.customer_id
cross join analysis_date
where responses.response_date <= analysis_date.as_of_date
