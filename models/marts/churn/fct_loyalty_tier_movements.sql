{#- Tier transitions per month: one row per month and (previous tier, tier) pair that occurred,
    with the number of customers making it. Sum by `tier_movement` for monthly upgrade and
    downgrade counts; the pairs show where upgrades come from and where downgrades go.
    From the tier spells without a customer x month spine: a spell's first month is its
    transition (from the previous spell's tier, or from the tier of zero spend in the first
    purchase month); each later month of the spell is an unchanged month in its tier. Those are
    counted per tier and month as a running sum of +1 from the month after the spell starts and
    -1 from the month after it ends, over a calendar of months. -#}
with

loyalty_tiers as (

    select * from {{ ref('fct_loyalty_tiers') }}

),

tiers as (

    select * from {{ ref('loyalty_tiers') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

calendar_bounds as (

    select
        min(valid_from_month) as first_month_start,
        max(valid_to_month) as last_month_start

    from loyalty_tiers

),

month_numbers as (

    select
        first_month_start,
        {{ integer_series(periods_between('first_month_start', 'last_month_start', 'month')) }} as month_number

    from calendar_bounds
    where first_month_start is not null

),

months as (

    select cast({{ dbt.dateadd('month', 'month_number', 'first_month_start') }} as date) as month_start

    from month_numbers

),

calendar as (

    select
        months.month_start,
        {{ period_end('months.month_start', 'month') }} <= analysis_date.as_of_date as is_complete

    from months
    cross join analysis_date

),

spell_start_movements as (

    select
        valid_from_month as month_start,
        previous_loyalty_tier,
        loyalty_tier,
        tier_movement,
        count(*) as customers,
        sum(case when tier_spell_number = 1 then 1 else 0 end) as first_purchase_customers

    from loyalty_tiers
    group by valid_from_month, previous_loyalty_tier, loyalty_tier, tier_movement

),

-- a spell stays unchanged from the month after it starts up to its last month
unchanged_customer_changes as (

    select
        loyalty_tier,
        cast({{ dbt.dateadd('month', 1, 'valid_from_month') }} as date) as month_start,
        1 as customer_change

    from loyalty_tiers
    where valid_to_month > valid_from_month

    union all

    select
        loyalty_tier,
        cast({{ dbt.dateadd('month', 1, 'valid_to_month') }} as date) as month_start,
        -1 as customer_change

    from loyalty_tiers
    where valid_to_month > valid_from_month and not is_current

),

monthly_unchanged_customer_changes as (

    select
        loyalty_tier,
        month_start,
        sum(customer_change) as customer_change

    from unchanged_customer_changes
    group by loyalty_tier, month_start

),

tier_months as (

    select
        calendar.month_start,
        tiers.loyalty_tier

    from calendar
    cross join tiers

),

unchanged_customers as (

    select
        tier_months.month_start,
        tier_months.loyalty_tier,
        sum(coalesce(monthly_unchanged_customer_changes.customer_change, 0)) over (
            partition by tier_months.loyalty_tier
            order by tier_months.month_start
            rows between unbounded preceding and current row
        ) as customers

    from tier_months
    left join monthly_unchanged_customer_changes
        on
            tier_months.loyalty_tier = monthly_unchanged_customer_changes.loyalty_tier
            and tier_months.month_start = monthly_unchanged_customer_changes.month_start

),

unchanged_movements as (

    select
        month_start,
        loyalty_tier as previous_loyalty_tier,
        loyalty_tier,
        'unchanged' as tier_movement,
        customers,
        0 as first_purchase_customers

    from unchanged_customers
    where customers > 0

),

movements as (

    select
        month_start,
        previous_loyalty_tier,
        loyalty_tier,
        tier_movement,
        customers,
        first_purchase_customers

    from spell_start_movements

    union all

    select
        month_start,
        previous_loyalty_tier,
        loyalty_tier,
        tier_movement,
        customers,
        first_purchase_customers

    from unchanged_movements

),

movement_totals as (

    select
        month_start,
        previous_loyalty_tier,
        loyalty_tier,
        tier_movement,
        sum(customers) as customers,
        sum(first_purchase_customers) as first_purchase_customers

    from movements
    group by month_start, previous_loyalty_tier, loyalty_tier, tier_movement

)

select
    {{ dbt.concat([
        'cast(movement_totals.month_start as ' ~ dbt.type_string() ~ ')', "'/'",
        'movement_totals.previous_loyalty_tier', "'>'", 'movement_totals.loyalty_tier'
    ]) }} as tier_movement_id,
    movement_totals.month_start,
    movement_totals.previous_loyalty_tier,
    movement_totals.loyalty_tier,
    movement_totals.tier_movement,
    calendar.is_complete,
    cast(movement_totals.customers as {{ dbt.type_bigint() }}) as customers,
    cast(movement_totals.first_purchase_customers as {{ dbt.type_bigint() }}) as first_purchase_customers

from movement_totals
inner join calendar
    on movement_totals.month_start = calendar.month_start
