{#- The fit step writes only well-formed rows, so every row of the base model is usable. -#}
with

scores as (

    select * from {{ ref('base_clv__bgnbd_scores') }}

)

select
    score_id,
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
