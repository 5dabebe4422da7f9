{#- NPS and CSAT per period (`period_grain`), acquisition channel and survey type: exit surveys
    come from customers who already left and score far lower, so they are kept apart. NPS = % promoters (9-10) - % detractors (0-6) in points; CSAT
    average of the 1-5 answers and CSAT % as the satisfied (4-5) share. Counts are included so
    that any roll-up recomputes the scores from sums. -#}
with

responses as (

    select * from {{ ref('int_feedback__survey_responses') }}

),

classified as (

    select
        *,
        case
            when nps_score >= 9 then 'promoter'
            when nps_score >= 7 then 'passive'
            when nps_score >= 0 then 'detractor'
        end as nps_class,
        csat_score >= 4 as is_csat_satisfied

    from responses

),

counts as (

    select
        period_start,
        acquisition_channel,
        survey_type,
        count(*) as responses,
        count(nps_score) as nps_responses,
        count(case when nps_class = 'promoter' then 1 end) as promoters,
        count(case when nps_class = 'passive' then 1 end) as passives,
        count(case when nps_class = 'detractor' then 1 end) as detractors,
        count(csat_score) as csat_responses,
        count(case when is_csat_satisfied then 1 end) as csat_satisfied,
        sum(csat_score) as csat_score_total

    from classified
    group by period_start, acquisition_channel, survey_type

)

select
    {{ dbt.concat([
        'cast(period_start as ' ~ dbt.type_string() ~ ')', "'/'",
        "coalesce(acquisition_channel, 'unknown')", "'/'", 'survey_type',
    ]) }} as nps_id,
    period_start,
    acquisition_channel,
    survey_type,
    responses,
    nps_responses,
    promoters,
    passives,
    detractors,
    {{ safe_divide('100 * (promoters - detractors)', 'nps_responses') }} as nps,
    csat_responses,
    csat_satisfied,
    {{ safe_divide('csat_score_total', 'csat_responses') }} as csat_average,
    {{ safe_divide('csat_satisfied', 'csat_responses') }} as csat_satisfied_share

from counts
