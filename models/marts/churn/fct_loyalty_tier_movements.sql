{#- Tier transitions per month: one row per month and (previous tier, tier) pair that occurred,
    with the number of customers making it. Sum by `tier_movement` for monthly upgrade and
    downgrade counts; the pairs show where upgrades come from and where downgrades go. -#}
with

loyalty_tiers as (

    select * from {{ ref('fct_loyalty_tiers') }}

)

select
    {{ dbt.concat([
        'cast(month_start as ' ~ dbt.type_string() ~ ')', "'/'", 'previous_loyalty_tier', "'>'", 'loyalty_tier'
    ]) }} as tier_movement_id,
    month_start,
    previous_loyalty_tier,
    loyalty_tier,
    tier_movement,
    is_complete,
    count(*) as customers,
    sum(case when month_number = 0 then 1 else 0 end) as first_purchase_customers

from loyalty_tiers
group by month_start, previous_loyalty_tier, loyalty_tier, tier_movement, is_complete
