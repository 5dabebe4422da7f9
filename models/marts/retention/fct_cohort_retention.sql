{#- Cohort x period-number grid. A customer is observed in period number n when their first
    period + n is within the calendar, so the observed customers and completeness come from the
    small grid of (cohort, first period) pairs; activity and revenue come from the sparse
    customer-period rows. -#}
with

activity as (

    select * from {{ ref('int_customers__period_activity') }}
    where is_active

),

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}
    where is_acquired_by_analysis_date

),

periods as (

    select * from {{ ref('int_calendar__periods') }}

),

cohort_sizes as (

    select
        cohort_period,
        count(*) as cohort_size

    from cohorts
    group by cohort_period

),

calendar as (

    select max(period_index) as last_period_index from periods

),

cohort_first_periods as (

    select
        cohorts.cohort_period,
        periods.period_index as first_period_index,
        count(*) as customers

    from cohorts
    inner join periods
        on cohorts.first_purchase_period = periods.period_start
    group by cohorts.cohort_period, periods.period_index

),

observed_periods as (

    select
        cohort_first_periods.cohort_period,
        cohort_first_periods.first_period_index,
        cohort_first_periods.customers,
        {{ integer_series('calendar.last_period_index - cohort_first_periods.first_period_index') }}
            as period_number

    from cohort_first_periods
    cross join calendar

),

cohort_periods as (

    select
        observed_periods.cohort_period,
        observed_periods.period_number,
        cast(sum(observed_periods.customers) as bigint) as customers_observed,
        min(case when periods.is_complete then 1 else 0 end) = 1 as is_complete

    from observed_periods
    inner join periods
        on observed_periods.first_period_index + observed_periods.period_number = periods.period_index
    group by observed_periods.cohort_period, observed_periods.period_number

),

cohort_activity as (

    select
        cohort_period,
        period_number,
        count(*) as active_customers,
        {{ money('sum(net_revenue_base)') }} as net_revenue_base

    from activity
    group by cohort_period, period_number

),

joined as (

    select
        cohort_periods.cohort_period,
        cohort_periods.period_number,
        cohort_periods.is_complete,
        cohort_sizes.cohort_size,
        cohort_periods.customers_observed,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.net_revenue_base, 0) as net_revenue_base

    from cohort_periods
    inner join cohort_sizes
        on cohort_periods.cohort_period = cohort_sizes.cohort_period
    left join cohort_activity
        on
            cohort_periods.cohort_period = cohort_activity.cohort_period
            and cohort_periods.period_number = cohort_activity.period_number

)

select
    {{ dbt.concat([
        'cast(cohort_period as ' ~ dbt.type_string() ~ ')', "'/'", 'cast(period_number as ' ~ dbt.type_string() ~ ')',
    ]) }} as cohort_retention_id,
    cohort_period,
    cast(period_number as int) as period_number,
    is_complete,
    cohort_size,
    customers_observed,
    active_customers,
    {{ safe_divide('active_customers', 'cohort_size') }} as cohort_retention_rate,
    net_revenue_base,
    {{ safe_divide(
        'sum(net_revenue_base) over (
            partition by cohort_period
            order by period_number
            rows between unbounded preceding and current row
        )',
        'cohort_size',
    ) }} as cumulative_net_revenue_per_customer

from joined
