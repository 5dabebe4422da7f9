with

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

customers as (

    select * from {{ ref('stg_shop__customers') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

purchase_totals as (

    select
        customer_id,
        {{ min_by('platform', ['ordered_at', 'order_id']) }} as first_purchase_platform,
        count(*) as purchases,
        sum(net_revenue_base) as net_revenue_base,
        min(order_date) as first_purchase_date,
        max(order_date) as last_purchase_date

    from purchases
    group by customer_id

)

select
    purchase_totals.customer_id,
    customers.acquisition_channel,
    customers.country_code,
    purchase_totals.first_purchase_platform,
    {{ period_start('purchase_totals.first_purchase_date', grain_var('cohort_grain')) }} as cohort_period,
    {{ period_start('purchase_totals.first_purchase_date', grain_var('period_grain')) }} as first_purchase_period,
    purchase_totals.purchases,
    purchase_totals.net_revenue_base,
    cast({{ dbt.datediff(
        'purchase_totals.first_purchase_date', 'analysis_date.as_of_date', 'day'
    ) }} as int) as tenure_days,
    purchase_totals.first_purchase_date <= analysis_date.as_of_date as is_acquired_by_analysis_date,
    purchase_totals.first_purchase_date,
    purchase_totals.last_purchase_date

from purchase_totals
inner join customers
    on purchase_totals.customer_id = customers.customer_id
cross join analysis_date
