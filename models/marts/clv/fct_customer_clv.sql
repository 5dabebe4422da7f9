{#- One row per customer with a purchase up to the analysis date: historical CLV to date and the
    predictions of the current fit (null for customers first seen after the calibration end).
    Decile 1 holds the 10 % of customers with the highest predicted CLV. -#}
with

history as (

    select * from {{ ref('int_clv__customer_history') }}

),

predictions as (

    select * from {{ ref('int_clv__customer_predictions') }}

),

joined as (

    select
        history.*,
        predictions.fit_run_id,
        predictions.p_alive,
        predictions.expected_purchases_30d,
        predictions.expected_purchases_90d,
        predictions.expected_purchases_365d,
        predictions.expected_average_order_value_base,
        predictions.predicted_clv_base,
        predictions.calibration_end_date,
        predictions.predicted_next_order_date

    from history
    left join predictions
        on history.customer_id = predictions.customer_id

)

select
    customer_id,
    fit_run_id,
    acquisition_channel,
    cohort_period,
    case
        when predicted_clv_base is not null
            then cast(ntile(10) over (
                partition by predicted_clv_base is null order by predicted_clv_base desc, customer_id asc
            ) as int)
    end as clv_decile,
    purchase_days,
    observed_age_months,
    historical_clv_base,
    historical_gross_margin_base,
    historical_clv_3m_base,
    historical_clv_6m_base,
    historical_clv_12m_base,
    p_alive,
    expected_purchases_30d,
    expected_purchases_90d,
    expected_purchases_365d,
    expected_average_order_value_base,
    predicted_clv_base,
    first_purchase_date,
    last_purchase_date,
    calibration_end_date,
    predicted_next_order_date,
    as_of_date

from joined
