{#- Churn-risk features of every customer with a purchase, at every snapshot date of
    `int_churn__snapshot_dates`, using only purchases made on or before that date. The current
    mart and the backtest both read this model, so past and present scores share one definition.
    The typical interval is the median gap between the customer's distinct purchase dates; for
    customers with a single purchase date it falls back to the median of those customer medians
    at the same snapshot (each repeat customer counts once, so frequent buyers do not dominate). -#}
{%- set window_days = var('churn_trend_window_days') | int -%}

with

transactions as (

    select * from {{ ref('int_clv__transactions') }}

),

snapshots as (

    select * from {{ ref('int_churn__snapshot_dates') }}

),

purchase_days as (

    select
        customer_id,
        transaction_date as order_date,
        orders as purchases,
        net_revenue_base

    from transactions

),

purchase_gaps as (

    select
        customer_id,
        order_date,
        {{ dbt.datediff(
            'lag(order_date) over (partition by customer_id order by order_date)', 'order_date', 'day'
        ) }} as gap_days

    from purchase_days

),

history as (

    select
        snapshots.snapshot_date,
        purchase_days.customer_id,
        purchase_days.order_date,
        purchase_days.purchases,
        purchase_days.net_revenue_base,
        purchase_days.order_date
        > {{ dbt.dateadd('day', -window_days, 'snapshots.snapshot_date') }} as is_in_last_window,
        purchase_days.order_date
        > {{ dbt.dateadd('day', -2 * window_days, 'snapshots.snapshot_date') }}
        and purchase_days.order_date
        <= {{ dbt.dateadd('day', -window_days, 'snapshots.snapshot_date') }} as is_in_previous_window

    from snapshots
    inner join purchase_days
        on snapshots.snapshot_date >= purchase_days.order_date

),

customer_history as (

    select
        snapshot_date,
        customer_id,
        sum(purchases) as purchases,
        sum(net_revenue_base) as net_revenue_base,
        sum(case when is_in_last_window then purchases else 0 end) as purchases_last_window,
        sum(case when is_in_previous_window then purchases else 0 end) as purchases_previous_window,
        sum(case when is_in_last_window then net_revenue_base else 0 end) as net_revenue_last_window,
        sum(
            case when is_in_previous_window then net_revenue_base else 0 end
        ) as net_revenue_previous_window,
        min(order_date) as first_purchase_date,
        max(order_date) as last_purchase_date

    from history
    group by snapshot_date, customer_id

),

customer_intervals as (

    select
        snapshots.snapshot_date,
        purchase_gaps.customer_id,
        median(cast(purchase_gaps.gap_days as double)) as median_gap_days

    from snapshots
    inner join purchase_gaps
        on snapshots.snapshot_date >= purchase_gaps.order_date
    where purchase_gaps.gap_days is not null
    group by snapshots.snapshot_date, purchase_gaps.customer_id

),

population_intervals as (

    select
        snapshot_date,
        median(median_gap_days) as population_median_gap_days

    from customer_intervals
    group by snapshot_date

),

features as (

    select
        customer_history.snapshot_date,
        customer_history.customer_id,
        customer_intervals.median_gap_days is null as is_population_interval,
        customer_history.purchases,
        customer_history.net_revenue_base,
        {{ dbt.datediff('customer_history.last_purchase_date', 'customer_history.snapshot_date', 'day') }}
            as days_since_last_purchase,
        coalesce(
            customer_intervals.median_gap_days, population_intervals.population_median_gap_days
        ) as typical_interval_days,
        customer_history.purchases_last_window,
        customer_history.purchases_previous_window,
        customer_history.net_revenue_last_window,
        customer_history.net_revenue_previous_window,
        customer_history.first_purchase_date,
        customer_history.last_purchase_date

    from customer_history
    left join customer_intervals
        on
            customer_history.snapshot_date = customer_intervals.snapshot_date
            and customer_history.customer_id = customer_intervals.customer_id
    left join population_intervals
        on customer_history.snapshot_date = population_intervals.snapshot_date

)

select
    {{ dbt.concat([
        'customer_id', "'/'", 'cast(snapshot_date as ' ~ dbt.type_string() ~ ')'
    ]) }} as customer_snapshot_id,
    snapshot_date,
    customer_id,
    is_population_interval,
    purchases,
    net_revenue_base,
    days_since_last_purchase,
    typical_interval_days,
    {{ safe_divide('days_since_last_purchase', 'typical_interval_days') }} as overdue_ratio,
    purchases_last_window,
    purchases_previous_window,
    {{ symmetric_change('purchases_last_window', 'purchases_previous_window') }} as frequency_trend,
    net_revenue_last_window,
    net_revenue_previous_window,
    {{ symmetric_change('net_revenue_last_window', 'net_revenue_previous_window') }} as spend_trend,
    first_purchase_date,
    last_purchase_date

from features
