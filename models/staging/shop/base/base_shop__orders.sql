{{ config(
    materialized='incremental',
    unique_key='order_month',
    partition_by=['order_month'] if target.type == 'spark' else none,
) }}
{#- Every raw order row, typed and checked against customers and the FX seed, with its quarantine
    reason. Incremental by landing month (`order_month`): a run rebuilds the months holding a row
    from a file it has not processed, every other copy of those orders (duplicates land in any
    month), and the orders whose reason can change without a new row: the customer landed or was
    quarantined since, or the order was in the future. A rebuilt month is ranked against every
    copy of its orders wherever they landed, so it equals a full build's rows. Files that change
    or disappear are not an append: the build then runs with --full-refresh (build.py). -#}
with

source as (

    select
        *,
        {{ landed_file('orders') }} as landed_file

    from {{ source('shop', 'orders') }}

),

customers as (

    select customer_id from {{ ref('base_shop__customers') }}
    where quarantine_reason is null

),

fx_rates as (

    {{ fx_rates_to_base() }}

),

{% if is_incremental() %}

new_rows as (

    {{ new_landed_rows('orders', 'order_id') }}

),

rechecked_orders as (

    {#- Orders whose reason changes without a new row: their customer landed or was quarantined
        since, or their order time has passed. #}
    select processed.order_id

    from {{ this }} as processed
    left join customers
        on processed.customer_id = customers.customer_id
    where
        (processed.quarantine_reason = 'future_date' and processed.ordered_at_utc <= {{ dbt.current_timestamp() }})
        or (processed.quarantine_reason is null and customers.customer_id is null)
        or (processed.quarantine_reason = 'unknown_customer' and customers.customer_id is not null)

),

touched_orders as (

    select order_id from new_rows
    where order_id is not null
    union
    select order_id from rechecked_orders

),

batch_months as (

    {{ landing_batch_months('orders', 'order_id', 'new_rows', [('touched_orders', 'order_id')]) }}

),

{% endif %}

ranking_scope as (

    select * from source
    {%- if is_incremental() %}
    {{ copies_of_batch_keys('orders', 'order_id', 'batch_months') }}
    {%- endif %}

),

typed as (

    select
        order_id,
        customer_id,
        order_month,
        landed_file,
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

    from ranking_scope

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'order_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'order_id', ['content_hash', 'landed_file']) }}

),

validated as (

    select
        ranked.*,
        fx_rates.rate_to_base,
        fx_rates.minor_units,
        case
            when ranked.order_id is null then 'missing_order_id'
            when ranked.customer_id is null then 'missing_customer'
            when ranked.ordered_at_utc is null then 'unparseable_date'
            when ranked.ordered_at_utc > {{ dbt.current_timestamp() }} then 'future_date'
            when ranked.ordered_at_utc < cast({{ date_var('min_order_date') }} as timestamp)
                then 'before_min_order_date'
            when
                ranked.order_status not in ('completed', 'cancelled', 'returned')
                or ranked.order_status is null then 'unknown_status'
            when
                ranked.gross_amount is null
                or ranked.gross_amount < 0
                or ranked.discount_amount < 0 then 'invalid_amount'
            when fx_rates.currency_code is null then 'unknown_currency'
            when
                {{ money_out_of_range('ranked.gross_amount', 'fx_rates.rate_to_base') }}
                or {{ money_out_of_range('ranked.discount_amount', 'fx_rates.rate_to_base') }}
                then 'amount_out_of_range'
            when ranked.discount_amount > ranked.gross_amount then 'invalid_amount'
            when
                {{ has_sub_minor_unit('ranked.gross_amount', 'fx_rates.minor_units') }}
                or {{ has_sub_minor_unit('ranked.discount_amount', 'fx_rates.minor_units') }}
                then 'sub_minor_unit_amount'
            when ranked.has_conflicting_duplicate then 'conflicting_duplicate'
            when ranked.duplicate_rank > 1 then 'exact_duplicate'
            when customers.customer_id is null then 'unknown_customer'
        end as quarantine_reason

    from ranked
    left join fx_rates
        on ranked.currency_code = fx_rates.currency_code
    left join customers
        on ranked.customer_id = customers.customer_id
    {%- if is_incremental() %}
    where ranked.order_month in (select order_month from batch_months)
    {%- endif %}

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
    minor_units,
    ordered_at_utc,
    ordered_at_raw,
    order_month,
    landed_file,
    '{{ invocation_id }}' as batch_id

from validated
