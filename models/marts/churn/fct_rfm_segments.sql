{#- RFM scores of every customer with a purchase up to the analysis date. Each score is the
    quintile (ntile(5), 5 = best) of days since the last purchase (fewer is better), purchases and
    net revenue. ntile gives equal-sized buckets, so customers with equal values can straddle a
    bucket boundary; the ties are broken by the other two dimensions, then customer_id, so the
    split is deterministic and favours the customer who is better on the other dimensions. The
    segment comes from the `rfm_segment_map` seed on R x FM, FM = (F + M) / 2 rounded half up.
    VIP: in the top `vip_top_share` of customers both by net revenue and by purchases (rank-based,
    so customers tied at the cut-off are all in). -#}
{%- set vip_top_share = var('vip_top_share') | float -%}

with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

snapshots as (

    select * from {{ ref('int_calendar__churn_snapshots') }}
    where snapshot_type = 'current'

),

segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

customers as (

    select features.*
    from features
    inner join snapshots
        on features.snapshot_date = snapshots.snapshot_date

),

scored as (

    select
        customer_id,
        snapshot_date,
        days_since_last_purchase,
        purchases,
        net_revenue_base,
        last_purchase_date,
        ntile(5) over (
            order by days_since_last_purchase desc, purchases asc, net_revenue_base asc, customer_id asc
        ) as recency_score,
        ntile(5) over (
            order by purchases asc, net_revenue_base asc, days_since_last_purchase desc, customer_id asc
        ) as frequency_score,
        ntile(5) over (
            order by net_revenue_base asc, purchases asc, days_since_last_purchase desc, customer_id asc
        ) as monetary_score,
        rank() over (order by net_revenue_base desc) as net_revenue_rank,
        rank() over (order by purchases desc) as purchases_rank,
        count(*) over () as customers

    from customers

),

combined as (

    select
        *,
        cast(floor((frequency_score + monetary_score + 1) / 2.0) as {{ dbt.type_int() }}) as fm_score,
        net_revenue_rank <= {{ vip_top_share }} * customers
        and purchases_rank <= {{ vip_top_share }} * customers as is_vip

    from scored

)

select
    combined.customer_id,
    segment_map.rfm_segment,
    {{ dbt.concat([
        'cast(combined.recency_score as ' ~ dbt.type_string() ~ ')',
        'cast(combined.frequency_score as ' ~ dbt.type_string() ~ ')',
        'cast(combined.monetary_score as ' ~ dbt.type_string() ~ ')',
    ]) }} as rfm_code,
    cast(combined.recency_score as int) as recency_score,
    cast(combined.frequency_score as int) as frequency_score,
    cast(combined.monetary_score as int) as monetary_score,
    combined.fm_score,
    combined.is_vip,
    combined.days_since_last_purchase,
    combined.purchases,
    combined.net_revenue_base,
    combined.snapshot_date as as_of_date,
    combined.last_purchase_date

from combined
left join segment_map
    on
        combined.recency_score = segment_map.recency_score
        and combined.fm_score = segment_map.fm_score
