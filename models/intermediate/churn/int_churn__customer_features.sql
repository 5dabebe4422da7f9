{#- Churn-risk features of every customer with a purchase, at every snapshot date of
    `int_calendar__churn_snapshots`, using only purchases made on or before that date. The current
    mart and the backtest both read this model, so past and present scores share one definition.
    Lifetime figures are the running totals of `int_customers__transactions` read at the customer's
    last purchase day on or before each snapshot, so no snapshot joins a customer's whole
    history. The typical interval is the mean gap between distinct purchase dates, (last - first)
    / (purchase days - 1), a running figure too; customers with a single purchase date get the
    median of the repeat customers' intervals at the same snapshot (each counts once, so frequent
    buyers do not dominate). -#}
{%- set window_days = var('churn_trend_window_days') | int -%}

with

transactions as (

    select * from {{ ref('int_customers__transactions') }}

),

snapshots as (

    select * from {{ ref('int_calendar__churn_snapshots') }}

),

as_of_snapshots as (

    select
        snapshots.snapshot_date,
        transactions.customer_id,
        transactions.orders_to_date as purchases,
        transactions.net_revenue_to_date_base as net_revenue_base,
        cast({{ dbt.dateadd(
            'day', '-transactions.days_since_first_purchase', 'transactions.transaction_date'
        ) }} as date) as first_purchase_date,
        transactions.transaction_date as last_purchase_date,
        transactions.transaction_number + 1 as purchase_days,
        case
            when transactions.transaction_number > 0
                then cast(transactions.days_since_first_purchase as double) / transactions.transaction_number
        end as mean_interval_days

    {#- Each customer's last purchase day on or before the snapshot. #}
    from snapshots
    inner join transactions
        on
            snapshots.snapshot_date >= transactions.transaction_date
            and snapshots.snapshot_date < coalesce(transactions.next_transaction_date, cast('9999-12-31' as date))

),

recent_transactions as (

    select
        snapshots.snapshot_date,
        transactions.customer_id,
        transactions.orders,
        transactions.net_revenue_base,
        transactions.transaction_date
        > {{ dbt.dateadd('day', -window_days, 'snapshots.snapshot_date') }} as is_in_last_window

    from snapshots
    inner join transactions
        on
            snapshots.snapshot_date >= transactions.transaction_date
            and {{ dbt.dateadd('day', -2 * window_days, 'snapshots.snapshot_date') }}
            < transactions.transaction_date

),

recent_windows as (

    select
        snapshot_date,
        customer_id,
        sum(case when is_in_last_window then orders else 0 end) as purchases_last_window,
        sum(case when is_in_last_window then 0 else orders end) as purchases_previous_window,
        sum(case when is_in_last_window then net_revenue_base else 0 end) as net_revenue_last_window,
        sum(case when is_in_last_window then 0 else net_revenue_base end) as net_revenue_previous_window

    from recent_transactions
    group by snapshot_date, customer_id

),

population_intervals as (

    select
        snapshot_date,
        median(mean_interval_days) as population_interval_days

    from as_of_snapshots
    group by snapshot_date

),

features as (

    select
        as_of_snapshots.snapshot_date,
        as_of_snapshots.customer_id,
        as_of_snapshots.mean_interval_days is null as is_population_interval,
        cast(as_of_snapshots.purchases as bigint) as purchases,
        {{ money('as_of_snapshots.net_revenue_base') }} as net_revenue_base,
        cast(
            {{ dbt.datediff('as_of_snapshots.last_purchase_date', 'as_of_snapshots.snapshot_date', 'day') }}
            as int
        ) as days_since_last_purchase,
        coalesce(
            as_of_snapshots.mean_interval_days, population_intervals.population_interval_days
        ) as typical_interval_days,
        cast(coalesce(recent_windows.purchases_last_window, 0) as bigint) as purchases_last_window,
        cast(coalesce(recent_windows.purchases_previous_window, 0) as bigint) as purchases_previous_window,
        {{ money('coalesce(recent_windows.net_revenue_last_window, 0)') }} as net_revenue_last_window,
        {{ money('coalesce(recent_windows.net_revenue_previous_window, 0)') }} as net_revenue_previous_window,
        as_of_snapshots.first_purchase_date,
        as_of_snapshots.last_purchase_date,
        as_of_snapshots.purchase_days

    from as_of_snapshots
    left join recent_windows
        on
            as_of_snapshots.snapshot_date = recent_windows.snapshot_date
            and as_of_snapshots.customer_id = recent_windows.customer_id
    inner join population_intervals
        on as_of_snapshots.snapshot_date = population_intervals.snapshot_date

)

select
    snapshot_date,
    customer_id,
    is_population_interval,
    purchases,
    purchase_days,
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
