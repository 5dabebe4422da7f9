{#- Every churn-probability fit the churn step wrote, typed. -#}
with

churn_model_fits as (

    select * from {{ source('clv_fit', 'churn_model_fits') }}

)

select
    run_id,
    model_name,
    converged,
    reason,
    features,
    coefficients,
    train_snapshots,
    horizon_days,
    closed_snapshots,
    training_rows,
    validation_rows,
    validation_auc,
    validation_brier,
    validation_calibration_error,
    validation_top_decile_lift,
    validation_base_rate,
    cast(analysis_date as date) as analysis_date,
    cast(validation_snapshot as date) as validation_snapshot

from churn_model_fits
