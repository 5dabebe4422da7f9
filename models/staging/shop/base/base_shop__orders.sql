with

source as (

    select * from {{ source('shop', 'orders') }}

),

customers as (

    select customer_id from {{ ref('base_shop__customers') }}
    where quarantine_reason is null

),

fx_rates as (

    {{ fx_rates_to_base() }}

),

typed as (

    select
        order_id,
        customer_id,
        lower(status) as order_status,
        upper(currency) as currency_code,
        lower(platform) as platform,
        gross_amount,
        discount_amount,
        try_cast(ordered_at as timestamp) as ordered_at_utc,
        ordered_at as ordered_at_raw,
        {{ content_hash([
            'order_id', 'customer_id', 'ordered_at', 'status', 'currency',
            'gross_amount', 'discount_amount', 'platform',
        ]) }} as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'order_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'order_id') }}

),

validated as (

    select
        ranked.*,
        fx_rates.rate_to_base,
        case
            when ranked.order_id is null then 'missing_order_id'
            when ranked.customer_id is null then 'missing_customer'
            when ranked.ordered_at_utc is null then 'unparseable_date'
            when ranked.ordered_at_utc > {{ dbt.current_timestamp() }} then 'future_date'
            when
                ranked.order_status not in ('completed', 'cancelled', 'returned')
                or ranked.order_status is null then 'unknown_status'
            when
                ranked.gross_amount is null
                or ranked.gross_amount < 0
                or ranked.discount_amount < 0
                or ranked.discount_amount > ranked.gross_amount then 'invalid_amount'
            when fx_rates.currency_code is null then 'unknown_currency'
            when ranked.has_conflicting_duplicate then 'conflicting_duplicate'
            when ranked.duplicate_rank > 1 then 'exact_duplicate'
            when customers.customer_id is null then 'unknown_customer'
        end as quarantine_reason

    from ranked
    left join fx_rates
        on ranked.currency_code = fx_rates.currency_code
    left join customers
        on ranked.customer_id = customers.customer_id

)

select
    {{ raw_row_key('order_id') }} as raw_row_key,
    order_id,
    customer_id,
    order_status,
    currency_code,
    platform,
    quarantine_reason,
    duplicate_rank,
    gross_amount,
    discount_amount,
    rate_to_base,
    ordered_at_utc,
    ordered_at_raw

from validated
