with

purchases as (

    select * from {{ ref('int_purchases') }}

),

customers as (

    select * from {{ ref('stg_shop__customers') }}

),

first_purchases as (

    select
        customer_id,
        platform as first_purchase_platform,
        order_date as first_purchase_date,
        row_number() over (
            partition by customer_id order by ordered_at, order_id
        ) as purchase_sequence

    from purchases

),

analysis_date as (

    select {{ as_of_date() }} as as_of_date

),

purchase_totals as (

    select
        customer_id,
        max(order_date) as last_purchase_date,
        count(*) as purchases,
        sum(net_revenue_base) as net_revenue_base

    from purchases
    group by customer_id

)

select
    first_purchases.customer_id,
    customers.acquisition_channel,
    customers.country_code,
    first_purchases.first_purchase_platform,
    {{ period_start('first_purchases.first_purchase_date', grain_var('cohort_grain')) }} as cohort_period,
    {{ period_start('first_purchases.first_purchase_date', grain_var('period_grain')) }} as first_purchase_period,
    purchase_totals.purchases,
    purchase_totals.net_revenue_base,
    {{ dbt.datediff(
        'first_purchases.first_purchase_date', 'analysis_date.as_of_date', 'day'
    ) }} as tenure_days,
    first_purchases.first_purchase_date,
    purchase_totals.last_purchase_date

from first_purchases
inner join customers
    on first_purchases.customer_id = customers.customer_id
inner join purchase_totals
    on first_purchases.customer_id = purchase_totals.customer_id
cross join analysis_date
where first_purchases.purchase_sequence = 1
