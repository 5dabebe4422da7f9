{#- One row per model per fit run; `is_current` marks the run whose predictions the CLV marts use. -#}
with

model_fits as (

    select * from {{ ref('stg_clv_fit__model_fits') }}

),

scores as (

    select * from {{ ref('stg_clv_fit__bgnbd_scores') }}

),

current_run as (

    select max(run_id) as run_id
    from scores

)

select
    model_fits.fit_id,
    model_fits.run_id,
    model_fits.model_name,
    model_fits.time_unit,
    model_fits.converged,
    model_fits.message,
    coalesce(model_fits.run_id = current_run.run_id, false) as is_current,
    model_fits.r,
    model_fits.alpha,
    model_fits.a,
    model_fits.b,
    model_fits.p,
    model_fits.q,
    model_fits.gamma,
    model_fits.log_likelihood,
    model_fits.customers,
    model_fits.statistics_groups,
    model_fits.iterations,
    model_fits.time_unit_days,
    model_fits.horizon_days,
    model_fits.discount_rate,
    model_fits.discount_period_days,
    model_fits.calibration_end_date,
    model_fits.fitted_at

from model_fits
cross join current_run
