{#- Every row the fit step wrote, typed. The step writes only well-formed rows, so nothing is
    quarantined here. -#}
with

scores as (

    select * from {{ source('clv_fit', 'bgnbd_scores') }}

)

select
    {{ dbt.concat([
        'run_id', "'/'",
        'cast(frequency as ' ~ dbt.type_string() ~ ')', "'/'",
        'cast(recency_days as ' ~ dbt.type_string() ~ ')', "'/'",
        'cast(customer_age_days as ' ~ dbt.type_string() ~ ')',
    ]) }} as score_id,
    run_id,
    frequency,
    recency_days,
    customer_age_days,
    p_alive,
    expected_purchases_30d,
    expected_purchases_90d,
    expected_purchases_365d,
    discounted_expected_purchases,
    median_days_to_next_purchase

from scores
