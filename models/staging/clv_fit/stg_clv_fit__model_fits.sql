{#- Every row the fit step wrote, typed. The step writes only well-formed rows, so nothing is
    quarantined here. -#}
with

model_fits as (

    select * from {{ source('clv_fit', 'model_fits') }}

)

select
    {{ dbt.concat(['run_id', "'/'", 'model_name']) }} as fit_id,
    run_id,
    model_name,
    time_unit,
    converged,
    message,
    r,
    alpha,
    a,
    b,
    p,
    q,
    gamma,
    log_likelihood,
    customers,
    statistics_groups,
    iterations,
    time_unit_days,
    horizon_days,
    discount_rate,
    discount_period_days,
    cast(calibration_end_date as date) as calibration_end_date,
    cast(fitted_at as timestamp) as fitted_at

from model_fits
