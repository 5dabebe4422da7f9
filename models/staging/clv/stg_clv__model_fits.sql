{#- The fit step writes only well-formed rows, so every row of the base model is usable. -#}
with

model_fits as (

    select * from {{ ref('base_clv__model_fits') }}

)

select
    fit_id,
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
    calibration_end_date,
    fitted_at

from model_fits
