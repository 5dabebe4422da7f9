{#- Loyalty tier of every customer in every month from their first purchase month to the month of
    the analysis date, by trailing-12-month net revenue (the month itself and the 11 before; the
    analysis month is month-to-date). Thresholds: `loyalty_tiers` seed. The previous tier is the
    tier of the previous month's trailing spend (0 before the first purchase), so a first month
    can already be an upgrade. -#}
with

purchases as (

    select * from {{ ref('int_purchases') }}

),

tiers as (

    select * from {{ ref('loyalty_tiers') }}

),

analysis_date as (

    select {{ as_of_date() }} as as_of_date

),

monthly_revenue as (

    select
        purchases.customer_id,
        {{ period_start('purchases.order_date', 'month') }} as month_start,
        sum(purchases.net_revenue_base) as net_revenue_base

    from purchases
    cross join analysis_date
    where purchases.order_date <= analysis_date.as_of_date
    group by purchases.customer_id, {{ period_start('purchases.order_date', 'month') }}

),

first_months as (

    select
        customer_id,
        min(month_start) as first_month_start

    from monthly_revenue
    group by customer_id

),

month_numbers as (

    select
        first_months.customer_id,
        first_months.first_month_start,
        analysis_date.as_of_date,
        {{ integer_series(periods_between(
            'first_months.first_month_start', period_start('analysis_date.as_of_date', 'month'), 'month'
        )) }} as month_number

    from first_months
    cross join analysis_date

),

spine as (

    select
        customer_id,
        month_number,
        as_of_date,
        cast({{ dbt.dateadd('month', 'month_number', 'first_month_start') }} as date) as month_start

    from month_numbers

),

trailing_spend as (

    select
        spine.customer_id,
        spine.month_start,
        spine.month_number,
        {{ period_end('spine.month_start', 'month') }} <= spine.as_of_date as is_complete,
        coalesce(monthly_revenue.net_revenue_base, 0) as net_revenue_base,
        sum(coalesce(monthly_revenue.net_revenue_base, 0)) over (
            partition by spine.customer_id
            order by spine.month_start
            rows between 11 preceding and current row
        ) as trailing_12m_net_revenue_base

    from spine
    left join monthly_revenue
        on
            spine.customer_id = monthly_revenue.customer_id
            and spine.month_start = monthly_revenue.month_start

),

with_previous as (

    select
        *,
        coalesce(lag(trailing_12m_net_revenue_base) over (
            partition by customer_id order by month_start
        ), 0) as previous_trailing_12m_net_revenue_base

    from trailing_spend

),

tiered as (

    select
        with_previous.*,
        current_tiers.loyalty_tier,
        current_tiers.tier_rank,
        previous_tiers.loyalty_tier as previous_loyalty_tier,
        previous_tiers.tier_rank as previous_tier_rank

    from with_previous
    inner join tiers as current_tiers
        on
            with_previous.trailing_12m_net_revenue_base >= current_tiers.min_trailing_12m_net_revenue
            and (
                with_previous.trailing_12m_net_revenue_base < current_tiers.max_trailing_12m_net_revenue
                or current_tiers.max_trailing_12m_net_revenue is null
            )
    inner join tiers as previous_tiers
        on
            with_previous.previous_trailing_12m_net_revenue_base >= previous_tiers.min_trailing_12m_net_revenue
            and (
                with_previous.previous_trailing_12m_net_revenue_base < previous_tiers.max_trailing_12m_net_revenue
                or previous_tiers.max_trailing_12m_net_revenue is null
            )

)

select
    {{ dbt.concat(['customer_id', "'/'", 'cast(month_start as ' ~ dbt.type_string() ~ ')']) }}
        as customer_month_id,
    customer_id,
    month_start,
    month_number,
    is_complete,
    loyalty_tier,
    tier_rank,
    previous_loyalty_tier,
    previous_tier_rank,
    case
        when tier_rank > previous_tier_rank then 'upgrade'
        when tier_rank < previous_tier_rank then 'downgrade'
        else 'unchanged'
    end as tier_movement,
    net_revenue_base,
    trailing_12m_net_revenue_base,
    previous_trailing_12m_net_revenue_base

from tiered
