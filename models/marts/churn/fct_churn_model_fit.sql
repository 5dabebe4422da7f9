{#- One row per churn-probability fit (one per build): the model, what it was trained and validated
    on, and its held-out figures; `is_current` marks the fit behind `fct_customer_churn_risk`. -#}
with

churn_model_fits as (

    select * from {{ ref('stg_clv_fit__churn_model_fits') }}

),

scores as (

    select * from {{ ref('stg_clv_fit__churn_scores') }}

),

current_run as (

    select max(run_id) as run_id
    from scores

)

select
    churn_model_fits.run_id,
    churn_model_fits.model_name,
    churn_model_fits.converged,
    coalesce(churn_model_fits.run_id = current_run.run_id, false) as is_current,
    churn_model_fits.reason,
    churn_model_fits.features,
    churn_model_fits.coefficients,
    churn_model_fits.train_snapshots,
    churn_model_fits.horizon_days,
    churn_model_fits.closed_snapshots,
    churn_model_fits.training_rows,
    churn_model_fits.validation_rows,
    churn_model_fits.validation_auc,
    churn_model_fits.validation_brier,
    churn_model_fits.validation_calibration_error,
    churn_model_fits.validation_top_decile_lift,
    churn_model_fits.validation_base_rate,
    churn_model_fits.analysis_date,
    churn_model_fits.validation_snapshot

from churn_model_fits
cross join current_run
