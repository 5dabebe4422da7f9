{#- Survey responses up to the analysis date with their reporting period and the customer segment
    they are reported under. The segment is the acquisition channel: it is
    fixed at acquisition, so it is valid for a response of any month (a churn-risk segment is a
    snapshot at the analysis date and would relabel past answers). -#}
with

responses as (

    select * from {{ ref('stg_feedback__survey_responses') }}

),

customers as (

    select * from {{ ref('stg_shop__customers') }}

),

analysis_date as (

    select {{ as_of_date() }} as as_of_date

)

select
    responses.response_id,
    responses.customer_id,
    customers.acquisition_channel,
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
