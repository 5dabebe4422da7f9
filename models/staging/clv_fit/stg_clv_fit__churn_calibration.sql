{#- The latest churn fit's held-out predictions by decile. -#}
with

churn_calibration as (

    select * from {{ source('clv_fit', 'churn_calibration') }}

)

select
    run_id,
    decile,
    customers,
    mean_predicted,
    observed_rate,
    lift

from churn_calibration
