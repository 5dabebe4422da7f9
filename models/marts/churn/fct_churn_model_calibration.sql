{#- Calibration and lift of the current churn model at its validation snapshot: held-out
    predictions in ten equal groups, predicted against observed churn. Empty after a fallback fit. -#}
with

calibration as (

    select * from {{ ref('stg_clv_fit__churn_calibration') }}

)

select
    run_id,
    decile,
    customers,
    mean_predicted,
    observed_rate,
    lift

from calibration
