{#- Unit economics per acquisition channel x cohort period (`cohort_grain`). CAC = marketing spend
    of the channel in the cohort period / customers it acquired. Lifetime value = historical CLV
    to date + predicted CLV over the horizon, both net revenue. CAC payback = months of age until
    the cohort's cumulative net revenue per acquired customer reaches CAC, counted only over
    months every customer of the cohort has completed (null while not reached, or without spend). -#}
{%- set grain = grain_var('cohort_grain') -%}

with

history as (

    select * from {{ ref('int_clv__customer_history') }}

),

predictions as (

    select * from {{ ref('int_clv__customer_predictions') }}

),

transactions as (

    select * from {{ ref('int_customers__transactions') }}

),

spend as (

    select * from {{ ref('stg_marketing__spend') }}

),

cohorts as (

    select
        history.acquisition_channel,
        history.cohort_period,
        count(*) as customers_acquired,
        min(history.observed_age_months) as observed_age_months,
        cast(avg(history.historical_clv_3m_base) as double) as avg_historical_clv_3m_base,
        cast(avg(history.historical_clv_6m_base) as double) as avg_historical_clv_6m_base,
        cast(avg(history.historical_clv_12m_base) as double) as avg_historical_clv_12m_base,
        cast(avg(history.historical_clv_base) as double) as avg_historical_clv_base,
        avg(predictions.predicted_clv_base) as avg_predicted_clv_base

    from history
    left join predictions
        on history.customer_id = predictions.customer_id
    group by history.acquisition_channel, history.cohort_period

),

spend_per_period as (

    select
        channel,
        {{ period_start('spend_date', grain) }} as cohort_period,
        {{ money('sum(spend_amount_base)') }} as marketing_spend_base

    from spend
    group by channel, {{ period_start('spend_date', grain) }}

),

unit_economics as (

    select
        coalesce(cohorts.acquisition_channel, spend_per_period.channel) as acquisition_channel,
        coalesce(cohorts.cohort_period, spend_per_period.cohort_period) as cohort_period,
        coalesce(cohorts.customers_acquired, 0) as customers_acquired,
        cohorts.observed_age_months,
        coalesce(spend_per_period.marketing_spend_base, 0) as marketing_spend_base,
        {{ safe_divide('coalesce(spend_per_period.marketing_spend_base, 0)', 'cohorts.customers_acquired') }}
            as cac_base,
        cohorts.avg_historical_clv_3m_base,
        cohorts.avg_historical_clv_6m_base,
        cohorts.avg_historical_clv_12m_base,
        cohorts.avg_historical_clv_base,
        cohorts.avg_predicted_clv_base,
        cohorts.avg_historical_clv_base + coalesce(cohorts.avg_predicted_clv_base, 0) as avg_lifetime_value_base

    from cohorts
    full outer join spend_per_period
        on
            cohorts.acquisition_channel = spend_per_period.channel
            and cohorts.cohort_period = spend_per_period.cohort_period

),

revenue_by_age as (

    select
        history.acquisition_channel,
        history.cohort_period,
        transactions.age_month,
        sum(transactions.net_revenue_base) as net_revenue_base

    from transactions
    inner join history
        on
            transactions.customer_id = history.customer_id
            and transactions.transaction_date <= history.as_of_date
    group by history.acquisition_channel, history.cohort_period, transactions.age_month

),

cumulative_revenue as (

    select
        *,
        sum(net_revenue_base) over (
            partition by acquisition_channel, cohort_period
            order by age_month
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue_base

    from revenue_by_age

),

payback as (

    select
        unit_economics.acquisition_channel,
        unit_economics.cohort_period,
        min(cumulative_revenue.age_month) + 1 as cac_payback_months

    from unit_economics
    inner join cumulative_revenue
        on
            unit_economics.acquisition_channel = cumulative_revenue.acquisition_channel
            and unit_economics.cohort_period = cumulative_revenue.cohort_period
    where
        unit_economics.cac_base > 0
        and cumulative_revenue.age_month < unit_economics.observed_age_months
        and cumulative_revenue.cumulative_net_revenue_base
        >= unit_economics.cac_base * unit_economics.customers_acquired
    group by unit_economics.acquisition_channel, unit_economics.cohort_period

)

select
    {{ dbt.concat([
        'unit_economics.acquisition_channel', "'/'",
        'cast(unit_economics.cohort_period as ' ~ dbt.type_string() ~ ')',
    ]) }} as ltv_cac_id,
    unit_economics.acquisition_channel,
    unit_economics.cohort_period,
    unit_economics.customers_acquired,
    unit_economics.marketing_spend_base,
    unit_economics.cac_base,
    unit_economics.avg_historical_clv_3m_base,
    unit_economics.avg_historical_clv_6m_base,
    unit_economics.avg_historical_clv_12m_base,
    unit_economics.avg_historical_clv_base,
    unit_economics.avg_predicted_clv_base,
    unit_economics.avg_lifetime_value_base,
    {{ safe_divide('unit_economics.avg_lifetime_value_base', 'unit_economics.cac_base') }} as ltv_cac_ratio,
    payback.cac_payback_months

from unit_economics
left join payback
    on
        unit_economics.acquisition_channel = payback.acquisition_channel
        and unit_economics.cohort_period = payback.cohort_period
