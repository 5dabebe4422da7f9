{#- Predictions per customer from the latest fit run: BG/NBD scores are looked up by the
    customer's (x, t_x, T) group (computed by the Python fit step, which has the Gaussian
    hypergeometric function), the Gamma-Gamma expected order value is a closed form in SQL.
    Customers whose repeat transactions sum to zero or less get the population mean order value.
    Predicted CLV = expected order value x discounted expected transactions over the horizon. -#}
with

rfm as (

    select * from {{ ref('int_clv__rfm_summary') }}

),

scores as (

    select * from {{ ref('stg_clv_fit__bgnbd_scores') }}

),

model_fits as (

    select * from {{ ref('stg_clv_fit__model_fits') }}

),

spend_model as (

    select model_fits.*
    from model_fits
    where
        model_fits.model_name = 'gamma_gamma'
        and model_fits.run_id = (select max(scores.run_id) from scores)

),

customer_scores as (

    select
        rfm.customer_id,
        rfm.calibration_end_date,
        scores.run_id,
        scores.p_alive,
        scores.expected_purchases_30d,
        scores.expected_purchases_90d,
        scores.expected_purchases_365d,
        scores.discounted_expected_purchases,
        scores.median_days_to_next_purchase,
        {{ gamma_gamma_expected_spend(
            'spend_model.p', 'spend_model.q', 'spend_model.gamma',
            'case when rfm.monetary_value > 0 then rfm.frequency else 0 end', 'rfm.monetary_value',
        ) }} as expected_average_order_value_base

    from rfm
    left join scores
        on
            rfm.frequency = scores.frequency
            and rfm.recency_days = scores.recency_days
            and rfm.customer_age_days = scores.customer_age_days
    cross join spend_model

)

select
    customer_id,
    run_id as fit_run_id,
    p_alive,
    expected_purchases_30d,
    expected_purchases_90d,
    expected_purchases_365d,
    discounted_expected_purchases,
    expected_average_order_value_base,
    expected_average_order_value_base * discounted_expected_purchases as predicted_clv_base,
    median_days_to_next_purchase,
    calibration_end_date,
    cast({{ dbt.dateadd(
        'day', 'cast(round(median_days_to_next_purchase) as ' ~ dbt.type_int() ~ ')', 'calibration_end_date'
    ) }} as date) as predicted_next_order_date

from customer_scores
