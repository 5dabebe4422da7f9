{#- 30-day return rate of new customers by channel. A new customer returns when their second
    purchase is at most `return_window_days` days after the first (same day counts). Eligible: the
    first purchase is at least `return_window_days` days before the analysis date, so the whole
    window is observed. One row per channel type (acquisition_channel: marketing channel of the
    customer; platform: platform of the first purchase) and channel. -#}
{%- set window_days = var('return_window_days') | int -%}

with

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}

),

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

window_purchases as (

    {#- The second purchase is at most window_days after the first exactly when at least two
        purchases (the first included) fall within window_days of the first purchase date. #}
    select
        cohorts.customer_id,
        count(*) as purchases_in_window

    from cohorts
    inner join purchases
        on cohorts.customer_id = purchases.customer_id
    where purchases.order_date <= {{ dbt.dateadd('day', window_days, 'cohorts.first_purchase_date') }}
    group by cohorts.customer_id

),

new_customers as (

    select
        cohorts.customer_id,
        cohorts.acquisition_channel,
        cohorts.first_purchase_platform,
        coalesce(window_purchases.purchases_in_window >= 2, false) as has_returned

    from cohorts
    left join window_purchases
        on cohorts.customer_id = window_purchases.customer_id
    where cohorts.tenure_days >= {{ window_days }}

),

by_channel as (

    select
        'acquisition_channel' as channel_type,
        coalesce(acquisition_channel, 'unknown') as channel,
        has_returned

    from new_customers
    union all
    select
        'platform' as channel_type,
        coalesce(first_purchase_platform, 'unknown') as channel,
        has_returned

    from new_customers

),

counts as (

    select
        channel_type,
        channel,
        count(*) as eligible_customers,
        count(case when has_returned then 1 end) as returned_customers

    from by_channel
    group by channel_type, channel

),

with_rest as (

    select
        *,
        sum(eligible_customers) over (partition by channel_type) - eligible_customers as other_eligible_customers,
        sum(returned_customers) over (partition by channel_type) - returned_customers as other_returned_customers

    from counts

),

rates as (

    select
        *,
        {{ safe_divide('returned_customers', 'eligible_customers') }} as return_rate,
        {{ safe_divide('other_returned_customers', 'other_eligible_customers') }} as other_channels_return_rate

    from with_rest

)

select
    {{ dbt.concat(['channel_type', "'/'", 'channel']) }} as channel_return_rate_id,
    channel_type,
    channel,
    eligible_customers,
    returned_customers,
    return_rate,
    other_channels_return_rate,
    {{ safe_divide('return_rate', 'other_channels_return_rate') }} - 1 as relative_to_other_channels

from rates
