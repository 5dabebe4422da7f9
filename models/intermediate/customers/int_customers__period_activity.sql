{#- Sparse customer x period rows: each period in which the customer purchased (`is_active`), plus
    the period right after an active one when the customer did not purchase again in it (a lapse,
    where growth accounting counts churn). Periods with neither are left out: every count the
    period marts need is a sum over these rows, so a dense customer x period spine is not needed.
    Only purchases up to the analysis date count. -#}
with

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

purchases as (

    select * from {{ ref('int_orders__purchases') }}
    where order_date <= (select analysis_date.as_of_date from analysis_date)

),

customers as (

    select * from {{ ref('int_customers__cohorts') }}
    where is_acquired_by_analysis_date

),

periods as (

    select * from {{ ref('int_calendar__periods') }}

),

purchases_per_period as (

    select
        customer_id,
        order_period,
        count(*) as purchases,
        sum(net_revenue_base) as net_revenue_base,
        max(order_date) as last_purchase_date

    from purchases
    group by customer_id, order_period

),

active_periods as (

    select
        purchases_per_period.customer_id,
        customers.cohort_period,
        periods.period_index,
        purchases_per_period.purchases,
        purchases_per_period.net_revenue_base,
        purchases_per_period.last_purchase_date,
        min(periods.period_index) over (partition by purchases_per_period.customer_id) as first_period_index,
        lag(periods.period_index) over (
            partition by purchases_per_period.customer_id order by periods.period_index
        ) as previous_active_period_index,
        lag(purchases_per_period.net_revenue_base) over (
            partition by purchases_per_period.customer_id order by periods.period_index
        ) as previous_active_net_revenue_base,
        lead(periods.period_index) over (
            partition by purchases_per_period.customer_id order by periods.period_index
        ) as next_active_period_index

    from purchases_per_period
    inner join customers
        on purchases_per_period.customer_id = customers.customer_id
    inner join periods
        on purchases_per_period.order_period = periods.period_start

),

activity as (

    select
        customer_id,
        cohort_period,
        period_index,
        first_period_index,
        true as is_active,
        coalesce(previous_active_period_index = period_index - 1, false) as was_active_previous_period,
        purchases,
        net_revenue_base,
        case
            when previous_active_period_index = period_index - 1 then previous_active_net_revenue_base
            else 0
        end as previous_period_net_revenue_base,
        next_active_period_index,
        last_purchase_date

    from active_periods

),

lapses as (

    select
        customer_id,
        cohort_period,
        period_index + 1 as period_index,
        first_period_index,
        false as is_active,
        true as was_active_previous_period,
        0 as purchases,
        0 as net_revenue_base,
        net_revenue_base as previous_period_net_revenue_base,
        cast(null as {{ dbt.type_int() }}) as next_active_period_index,
        cast(null as date) as last_purchase_date

    from active_periods
    where next_active_period_index > period_index + 1 or next_active_period_index is null

),

customer_periods as (

    select * from activity
    union all
    select * from lapses

)

select
    customer_periods.customer_id,
    customer_periods.cohort_period,
    periods.period_start,
    periods.period_end,
    customer_periods.period_index,
    customer_periods.period_index - customer_periods.first_period_index as period_number,
    customer_periods.first_period_index,
    customer_periods.next_active_period_index,
    periods.is_complete,
    customer_periods.is_active,
    customer_periods.was_active_previous_period,
    customer_periods.purchases,
    customer_periods.net_revenue_base,
    customer_periods.previous_period_net_revenue_base,
    customer_periods.last_purchase_date

{#- The inner join drops the lapse after the analysis period, which is not in the calendar. #}
from customer_periods
inner join periods
    on customer_periods.period_index = periods.period_index
