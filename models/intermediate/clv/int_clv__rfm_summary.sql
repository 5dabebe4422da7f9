{#- Buy-Till-You-Die summary per customer over the calibration period (first purchase up to the
    calibration end, orders after it ignored): frequency x = transactions after the first,
    recency t_x = first to last transaction, age T = first transaction to the calibration end,
    monetary value = mean net revenue of the repeat transactions (the first one excluded; null
    when x = 0). Recency and age are given in days and in the `clv_time_unit`. -#}
with

transactions as (

    select * from {{ ref('int_customers__transactions') }}

),

calibration as (

    select * from {{ ref('int_clv__calibration') }}

),

calibration_transactions as (

    select
        transactions.*,
        calibration.calibration_end_date,
        calibration.time_unit_days

    from transactions
    inner join calibration
        on transactions.transaction_date <= calibration.calibration_end_date

),

summary as (

    select
        customer_id,
        calibration_end_date,
        time_unit_days,
        count(*) - 1 as frequency,
        max(days_since_first_purchase) as recency_days,
        sum(case when transaction_number > 0 then net_revenue_base end) as repeat_net_revenue_base,
        sum(net_revenue_base) as net_revenue_base,
        min(transaction_date) as first_purchase_date,
        max(transaction_date) as last_purchase_date

    from calibration_transactions
    group by customer_id, calibration_end_date, time_unit_days

),

measured as (

    select
        *,
        {{ dbt.datediff(
            'first_purchase_date', 'calibration_end_date', 'day'
        ) }} as customer_age_days

    from summary

)

select
    customer_id,
    frequency,
    recency_days,
    customer_age_days,
    cast(recency_days as double) / time_unit_days as recency,
    cast(customer_age_days as double) / time_unit_days as customer_age,
    {{ safe_divide('repeat_net_revenue_base', 'frequency') }} as monetary_value,
    net_revenue_base,
    first_purchase_date,
    last_purchase_date,
    calibration_end_date

from measured
