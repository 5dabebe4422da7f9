{#- Loyalty tier spells: one row per customer and run of consecutive months in the same tier, from
    the first purchase month to the month of the analysis date. The tier of a month is set by its
    trailing-12-month net revenue (the month itself and the 11 before; the analysis month is
    month-to-date), thresholds in the `loyalty_tiers` seed; the tier at month m is the spell with
    valid_from_month <= m <= valid_to_month.
    Computed sparsely: a month's revenue enters the trailing sum in that month and leaves it 12
    months later, so the sum only changes in those months. A running sum of the changes gives the
    trailing spend from each change month to the next; consecutive change months in the same tier
    are then collapsed into one spell (gaps and islands). No customer x month spine. -#}
with

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

tiers as (

    select * from {{ ref('loyalty_tiers') }}

),

analysis_date as (

    select
        as_of_date,
        {{ period_start('as_of_date', 'month') }} as analysis_month_start

    from {{ ref('int_calendar__analysis_date') }}

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
        min(month_start) as first_purchase_month

    from monthly_revenue
    group by customer_id

),

-- a month's revenue enters the trailing 12 months in that month and leaves 12 months later
spend_changes as (

    select
        customer_id,
        month_start as change_month_start,
        net_revenue_base as net_revenue_change

    from monthly_revenue

    union all

    select
        customer_id,
        cast({{ dbt.dateadd('month', 12, 'month_start') }} as date) as change_month_start,
        -net_revenue_base as net_revenue_change

    from monthly_revenue

),

monthly_changes as (

    select
        spend_changes.customer_id,
        spend_changes.change_month_start,
        sum(spend_changes.net_revenue_change) as net_revenue_change

    from spend_changes
    cross join analysis_date
    where spend_changes.change_month_start <= analysis_date.analysis_month_start
    group by spend_changes.customer_id, spend_changes.change_month_start

),

trailing_spend as (

    select
        customer_id,
        change_month_start,
        sum(net_revenue_change) over (
            partition by customer_id
            order by change_month_start
            rows between unbounded preceding and current row
        ) as trailing_12m_net_revenue_base

    from monthly_changes

),

tiered_changes as (

    select
        trailing_spend.customer_id,
        trailing_spend.change_month_start,
        trailing_spend.trailing_12m_net_revenue_base,
        tiers.loyalty_tier,
        tiers.tier_rank

    from trailing_spend
    inner join tiers
        on
            trailing_spend.trailing_12m_net_revenue_base >= tiers.min_trailing_12m_net_revenue
            and (
                trailing_spend.trailing_12m_net_revenue_base < tiers.max_trailing_12m_net_revenue
                or tiers.max_trailing_12m_net_revenue is null
            )

),

changes_with_previous_tier as (

    select
        *,
        lag(tier_rank) over (
            partition by customer_id order by change_month_start
        ) as previous_change_tier_rank

    from tiered_changes

),

-- a spell starts at the first change month and wherever the tier differs from the change before;
-- the window functions run over the spell starts only
spell_starts as (

    select
        customer_id,
        change_month_start as valid_from_month,
        trailing_12m_net_revenue_base,
        loyalty_tier,
        tier_rank,
        lag(loyalty_tier) over (
            partition by customer_id order by change_month_start
        ) as previous_spell_loyalty_tier,
        lag(tier_rank) over (
            partition by customer_id order by change_month_start
        ) as previous_spell_tier_rank,
        lead(change_month_start) over (
            partition by customer_id order by change_month_start
        ) as next_valid_from_month,
        row_number() over (
            partition by customer_id order by change_month_start
        ) as tier_spell_number

    from changes_with_previous_tier
    where previous_change_tier_rank is null or previous_change_tier_rank != tier_rank

),

-- the tier of zero trailing spend: the previous tier of a customer's first spell
starting_tier as (

    select
        loyalty_tier,
        tier_rank

    from tiers
    where
        min_trailing_12m_net_revenue <= 0
        and (max_trailing_12m_net_revenue > 0 or max_trailing_12m_net_revenue is null)

),

spells as (

    select
        spell_starts.customer_id,
        spell_starts.tier_spell_number,
        spell_starts.loyalty_tier,
        spell_starts.tier_rank,
        coalesce(spell_starts.previous_spell_loyalty_tier, starting_tier.loyalty_tier) as previous_loyalty_tier,
        coalesce(spell_starts.previous_spell_tier_rank, starting_tier.tier_rank) as previous_tier_rank,
        spell_starts.valid_from_month,
        coalesce(
            cast({{ dbt.dateadd('month', -1, 'spell_starts.next_valid_from_month') }} as date),
            analysis_date.analysis_month_start
        ) as valid_to_month,
        spell_starts.next_valid_from_month is null as is_current,
        first_months.first_purchase_month,
        spell_starts.trailing_12m_net_revenue_base

    from spell_starts
    inner join first_months
        on spell_starts.customer_id = first_months.customer_id
    cross join starting_tier
    cross join analysis_date

)

select
    {{ dbt.concat(['customer_id', "'/'", 'cast(valid_from_month as ' ~ dbt.type_string() ~ ')']) }}
        as loyalty_tier_spell_id,
    customer_id,
    cast(tier_spell_number as int) as tier_spell_number,
    loyalty_tier,
    cast(tier_rank as int) as tier_rank,
    previous_loyalty_tier,
    cast(previous_tier_rank as int) as previous_tier_rank,
    case
        when tier_rank > previous_tier_rank then 'upgrade'
        when tier_rank < previous_tier_rank then 'downgrade'
        else 'unchanged'
    end as tier_movement,
    valid_from_month,
    valid_to_month,
    {{ periods_between('valid_from_month', 'valid_to_month', 'month') }} + 1 as months_in_spell,
    is_current,
    first_purchase_month,
    {{ money('trailing_12m_net_revenue_base') }} as trailing_12m_net_revenue_base

from spells
