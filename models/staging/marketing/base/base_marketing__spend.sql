with

source as (

    select * from {{ source('marketing', 'marketing_spend') }}

),

fx_rates as (

    {{ fx_rates_to_base() }}

),

typed as (

    select
        {{ dbt.concat(["coalesce(spend_date, '<null>')", "'/'", "coalesce(lower(channel), '<null>')"]) }} as spend_key,
        try_cast(spend_date as date) as spend_date,
        lower(channel) as channel,
        upper(currency) as currency_code,
        spend_amount,
        {{ content_hash(['spend_date', 'channel', 'currency', 'spend_amount']) }} as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'spend_key') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'spend_key') }}

),

validated as (

    select
        ranked.*,
        fx_rates.rate_to_base,
        case
            when ranked.channel is null then 'missing_channel'
            when ranked.spend_date is null then 'unparseable_date'
            when ranked.spend_amount is null or ranked.spend_amount < 0 then 'invalid_amount'
            when fx_rates.currency_code is null then 'unknown_currency'
            when {{ money_out_of_range('ranked.spend_amount', 'fx_rates.rate_to_base') }} then 'amount_out_of_range'
            when {{ has_sub_minor_unit('ranked.spend_amount', 'fx_rates.minor_units') }} then 'sub_minor_unit_amount'
            when ranked.has_conflicting_duplicate then 'conflicting_duplicate'
            when ranked.duplicate_rank > 1 then 'exact_duplicate'
        end as quarantine_reason

    from ranked
    left join fx_rates
        on ranked.currency_code = fx_rates.currency_code

)

select
    {{ raw_row_key('spend_key') }} as raw_row_key,
    channel,
    quarantine_reason,
    spend_amount,
    rate_to_base,
    spend_date

from validated
