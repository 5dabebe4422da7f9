with

customer_periods as (

    select * from {{ ref('int_customer_periods') }}

),

cohorts as (

    select
        cohort_period,
        count(*) as cohort_size

    from {{ ref('int_customer_cohorts') }}
    where tenure_days >= 0
    group by cohort_period

),

cohort_periods as (

    select
        cohort_period,
        period_number,
        count(*) as customers_observed,
        sum(case when is_active then 1 else 0 end) as active_customers,
        sum(net_revenue_base) as net_revenue_base,
        min(case when is_complete then 1 else 0 end) = 1 as is_complete

    from customer_periods
    group by cohort_period, period_number

)

select
    {{ dbt.concat([
        'cast(cohort_periods.cohort_period as ' ~ dbt.type_string() ~ ')',
        "'/'",
        'cast(cohort_periods.period_number as ' ~ dbt.type_string() ~ ')',
    ]) }} as cohort_retention_id,
    cohort_periods.cohort_period,
    cohort_periods.period_number,
    cohort_periods.is_complete,
    cohorts.cohort_size,
    cohort_periods.customers_observed,
    cohort_periods.active_customers,
    {{ safe_divide('cohort_periods.active_customers', 'cohorts.cohort_size') }} as retention_rate,
    cohort_periods.net_revenue_base,
    {{ safe_divide(
        'sum(cohort_periods.net_revenue_base) over (
            partition by cohort_periods.cohort_period
            order by cohort_periods.period_number
            rows between unbounded preceding and current row
        )',
        'cohorts.cohort_size',
    ) }} as cumulative_net_revenue_per_customer

from cohort_periods
inner join cohorts
    on cohort_periods.cohort_period = cohorts.cohort_period
