{#- Historical CLV per customer up to the analysis date: net revenue (and gross margin when every
    item's cost is known) to date and within the first 3, 6 and 12 months of age. A month of age
    is 30.4375 days; the m-month value is null until the customer is m whole months old, so
    averages over a cohort never mix in customers who could not have spent yet. -#}
with

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}

),

transactions as (

    select * from {{ ref('int_customers__transactions') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

customers as (

    select
        cohorts.customer_id,
        cohorts.acquisition_channel,
        cohorts.cohort_period,
        cohorts.first_purchase_date,
        analysis_date.as_of_date,
        {{ clv_age_months('cohorts.tenure_days') }} as observed_age_months

    from cohorts
    cross join analysis_date
    where cohorts.is_acquired_by_analysis_date

),

history as (

    select
        customers.customer_id,
        count(*) as purchase_days,
        sum(transactions.net_revenue_base) as net_revenue_base,
        case
            when count(transactions.gross_margin_base) = count(*) then sum(transactions.gross_margin_base)
        end as gross_margin_base,
        sum(case when transactions.age_month < 3 then transactions.net_revenue_base else 0 end)
            as net_revenue_3m_base,
        sum(case when transactions.age_month < 6 then transactions.net_revenue_base else 0 end)
            as net_revenue_6m_base,
        sum(case when transactions.age_month < 12 then transactions.net_revenue_base else 0 end)
            as net_revenue_12m_base,
        max(transactions.transaction_date) as last_purchase_date

    from customers
    inner join transactions
        on
            customers.customer_id = transactions.customer_id
            and customers.as_of_date >= transactions.transaction_date
    group by customers.customer_id

)

select
    customers.customer_id,
    customers.acquisition_channel,
    customers.cohort_period,
    customers.observed_age_months,
    history.purchase_days,
    {{ money('history.net_revenue_base') }} as historical_clv_base,
    {{ money('history.gross_margin_base') }} as historical_gross_margin_base,
    {{ money('case when customers.observed_age_months >= 3 then history.net_revenue_3m_base end') }}
        as historical_clv_3m_base,
    {{ money('case when customers.observed_age_months >= 6 then history.net_revenue_6m_base end') }}
        as historical_clv_6m_base,
    {{ money('case when customers.observed_age_months >= 12 then history.net_revenue_12m_base end') }}
        as historical_clv_12m_base,
    customers.first_purchase_date,
    history.last_purchase_date,
    customers.as_of_date

from customers
inner join history
    on customers.customer_id = history.customer_id
