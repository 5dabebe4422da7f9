-- Hand-written baseline for `retention-warehouse benchmark-build`.
--
-- One DuckDB script that computes the warehouse's core marts straight from the landed Parquet
-- files, the way an analyst would write it for speed on one machine: every input is read once,
-- staged orders are materialised once, and the retention marts are computed from sparse
-- customer x active-month rows (no dense customer x period spine). It must produce exactly the
-- values of the dbt project's marts with the project's default vars: month periods and cohorts,
-- active_window_days 90, as_of_date = last completed order date, base currency USD, UTC.
--
-- Inputs (set before running):
--   set variable raw_dir = '<landing folder>';   -- <raw_dir>/<table>/[order_month=YYYY-MM/]*.parquet
--   set variable seeds_dir = '<project>/seeds';  -- fx_rates.csv, rfm_segment_map.csv
-- Output: schema `baseline`, one table per mart, named and shaped like the project's relation:
--   stg_shop__orders, dim_customers, fct_cohort_retention, fct_retention_rate,
--   fct_growth_accounting, int_clv__rfm_summary, fct_rfm_segments.
-- Helpers are temp tables, gone with the connection.

-- No result here relies on row order; without it DuckDB streams instead of buffering.
set preserve_insertion_order = false;

set variable active_window_days = 90;  -- "is a customer" = purchased in the trailing 90 days
set variable clv_time_unit_days = 7;   -- recency and age of the RFM summary are in weeks
set variable vip_top_share = 0.05;

create schema if not exists baseline;


-- Customers --------------------------------------------------------------------------------------
-- A customer id is usable when it is present, its signup time parses (or is absent), and all
-- its landed copies agree: identical copies count once, disagreeing copies are all quarantined.
create or replace temp table valid_customers as
with

customer_versions as (
    select distinct customer_id, signup_at, country, acquisition_channel
    from read_parquet(getvariable('raw_dir') || '/customers/*.parquet')
    where customer_id is not null
)

select
    customer_id,
    upper(country) as country_code,
    lower(acquisition_channel) as acquisition_channel,
    try_cast(signup_at as timestamp) as signed_up_at
from customer_versions
where signup_at is null or try_cast(signup_at as timestamp) is not null
qualify count(*) over (partition by customer_id) = 1;


-- Staged orders (= stg_shop__orders) --------------------------------------------------------------
-- The same quarantine rules as base_shop__orders; only whether a row survives matters here, not
-- which rule fires first. Copies of an order can land in several month folders, so duplicates
-- are judged on the order's columns without the partition column.
create or replace table baseline.stg_shop__orders as
with

fx_seed as (
    select currency_code, rate_to_usd
    from read_csv(getvariable('seeds_dir') || '/fx_rates.csv')
),

-- Decimal rate into USD, as the money macros use it, so cents round the same way.
fx_rates as (
    select
        fx_seed.currency_code,
        cast(fx_seed.rate_to_usd / usd.rate_to_usd as decimal(17, 8)) as rate_to_base
    from fx_seed
    inner join fx_seed as usd on usd.currency_code = 'USD'
),

order_versions as (
    select distinct
        order_id, customer_id, ordered_at, status, currency, gross_amount, discount_amount, platform
    from read_parquet(getvariable('raw_dir') || '/orders/*/*.parquet', hive_partitioning = true)
    where order_id is not null
),

-- An order id left with more than one version is a conflicting duplicate: all its copies go.
conflicting_ids as (
    select order_id from order_versions group by order_id having count(*) > 1
),

unambiguous_orders as (
    select
        order_id,
        customer_id,
        lower(status) as order_status,
        upper(currency) as currency_code,
        lower(platform) as platform,
        gross_amount,
        discount_amount,
        try_cast(ordered_at as timestamp) as ordered_at_utc
    from order_versions
    anti join conflicting_ids using (order_id)
),

valid_orders as (
    select unambiguous_orders.*, fx_rates.rate_to_base
    from unambiguous_orders
    inner join fx_rates on unambiguous_orders.currency_code = fx_rates.currency_code
    semi join valid_customers on unambiguous_orders.customer_id = valid_customers.customer_id
    where
        unambiguous_orders.ordered_at_utc <= now()  -- unparseable (null) and future times fail
        and unambiguous_orders.order_status in ('completed', 'cancelled', 'returned')
        and unambiguous_orders.gross_amount >= 0
        -- a missing discount is not invalid (the project's rule is null, not true, for it)
        and (discount_amount is null or discount_amount between 0 and gross_amount)
),

-- Base-currency cents: the amount as decimal cents times the decimal rate, rounded once.
converted as (
    select
        *,
        order_status = 'completed' as is_completed,
        cast(round(cast(gross_amount as decimal(20, 2)) * rate_to_base, 2) as decimal(18, 2))
            as gross_amount_base,
        cast(round(cast(discount_amount as decimal(20, 2)) * rate_to_base, 2) as decimal(18, 2))
            as discount_amount_base
    from valid_orders
)

select
    order_id,
    customer_id,
    order_status,
    platform,
    currency_code,
    is_completed,
    gross_amount_base,
    discount_amount_base,
    case when is_completed then gross_amount_base - discount_amount_base else 0 end
        as net_revenue_base,
    ordered_at_utc as ordered_at,  -- reporting time zone is UTC: no conversion
    cast(ordered_at_utc as date) as order_date
from converted;


-- Purchases per customer and day -----------------------------------------------------------------
-- A purchase is a completed order. The analysis date is the last purchase date; the point-in-time
-- marts count purchases up to it (all of them, by that definition). Every later step reads this
-- small table instead of the orders.
set variable as_of_date = (select max(order_date) from baseline.stg_shop__orders where is_completed);

create or replace temp table customer_days as
select
    customer_id,
    order_date,
    count(*) as purchases,
    sum(net_revenue_base) as net_revenue_base
from baseline.stg_shop__orders
where is_completed and order_date <= getvariable('as_of_date')
group by customer_id, order_date;

-- One row per customer with a purchase; the cohort is the month of the first purchase.
create or replace temp table customer_summary as
select
    customer_id,
    count(*) as purchase_days,
    sum(purchases) as purchases,
    sum(net_revenue_base) as net_revenue_base,
    arg_min_null(net_revenue_base, order_date) as first_day_net_revenue_base,
    min(order_date) as first_purchase_date,
    max(order_date) as last_purchase_date,
    cast(date_trunc('month', min(order_date)) as date) as cohort_period
from customer_days
group by customer_id;


-- dim_customers ----------------------------------------------------------------------------------
create or replace table baseline.dim_customers as
with

order_counts as (
    select
        customer_id,
        count(*) as orders,
        count(*) filter (where order_status = 'cancelled') as cancelled_orders,
        count(*) filter (where order_status = 'returned') as returned_orders,
        -- first purchase by time, then order id; arg_min_null because the platform may be null
        arg_min_null(platform, (ordered_at, order_id)) filter (where is_completed)
            as first_purchase_platform
    from baseline.stg_shop__orders
    group by customer_id
)

select
    valid_customers.customer_id,
    valid_customers.country_code,
    valid_customers.acquisition_channel,
    order_counts.first_purchase_platform,
    customer_summary.cohort_period,
    coalesce(order_counts.orders, 0) as orders,
    coalesce(customer_summary.purchases, 0) as completed_orders,
    coalesce(order_counts.cancelled_orders, 0) as cancelled_orders,
    coalesce(order_counts.returned_orders, 0) as returned_orders,
    coalesce(customer_summary.net_revenue_base, 0) as net_revenue_base,
    cast(customer_summary.net_revenue_base as double) / nullif(customer_summary.purchases, 0)
        as average_order_value_base,
    getvariable('as_of_date') - customer_summary.first_purchase_date as tenure_days,
    valid_customers.signed_up_at,
    customer_summary.first_purchase_date,
    customer_summary.last_purchase_date
from valid_customers
left join customer_summary on valid_customers.customer_id = customer_summary.customer_id
left join order_counts on valid_customers.customer_id = order_counts.customer_id;


-- Calendar -----------------------------------------------------------------------------------------
-- Months are numbered (year * 12 + month - 1) so that "previous" and "next" are -1 and +1. The
-- calendar runs from the first purchase month to the month of the analysis date.
create or replace macro month_number(d) as year(d) * 12 + month(d) - 1;

create or replace temp table calendar as
with

bounds as (
    select
        month_number(min(first_purchase_date)) as first_month,
        month_number(getvariable('as_of_date')) as last_month
    from customer_summary
),

months as (
    select make_date(month // 12, month % 12 + 1, 1) as period_start, month
    from (select unnest(generate_series(first_month, last_month)) as month from bounds)
)

select
    month,
    period_start,
    last_day(period_start) as period_end,
    last_day(period_start) <= getvariable('as_of_date') as is_complete
from months;


-- Sparse activity: one row per customer and month with a purchase ---------------------------------
-- A customer is active at the end of month p when their last purchase up to p's end lies within
-- the trailing window. After a month with purchases that holds up to `active_until`: the last
-- month that ends before the window from the month's last purchase runs out, the month before
-- the next month with purchases (which takes over from there), or the calendar's last month,
-- whichever comes first. Between active months nothing changes, so no row is needed there.
create or replace temp table active_months as
with

per_month as (
    select
        customer_id,
        month_number(order_date) as month,
        sum(net_revenue_base) as net_revenue_base,
        max(order_date) as last_purchase_date
    from customer_days
    group by customer_id, month
),

with_neighbours as (
    select
        *,
        first_value(month) over by_month as cohort_month,
        lag(month) over by_month as previous_month,
        lag(net_revenue_base) over by_month as previous_net_revenue_base,
        lag(last_purchase_date) over by_month as previous_last_purchase_date,
        lead(month) over by_month as next_month
    from per_month
    window by_month as (partition by customer_id order by month)
)

select
    *,
    least(  -- least() skips nulls: no next month
        -- the last month that ends before the window from the last purchase runs out
        -- (the window is longer than a month, so this is never before `month`)
        month_number(last_purchase_date + getvariable('active_window_days')) - 1,
        next_month - 1,
        month_number(getvariable('as_of_date'))
    ) as active_until,
    -- active at the end of the previous month: the previous active month's window reached it
    coalesce(
        month_number(previous_last_purchase_date + getvariable('active_window_days')) >= month,
        false
    ) as was_active_at_start
from with_neighbours;


-- fct_retention_rate ---------------------------------------------------------------------------------
-- S: active at the end of the previous month, E: active at the end of this month, N: first
-- purchase this month. Each active month starts a stretch [month, active_until] of months the
-- customer is active at the end of; one customer's stretches never overlap. So E is a running
-- count of stretches begun minus stretches ended, S is last month's E, and of S all are
-- retained except those whose stretch ended last month without a purchase this month (lost).
create or replace table baseline.fct_retention_rate as
with

stretch_starts as (
    select
        month,
        count(*) as starts,
        count(*) filter (where month = cohort_month) as new_customers,
        count(*) filter (where month > cohort_month and not was_active_at_start)
            as reactivated_customers
    from active_months
    group by month
),

stretch_ends as (
    -- the month after a stretch: the customer is lost unless that month starts their next one
    select
        active_until + 1 as month,
        count(*) as ends,
        count(*) filter (where next_month is distinct from active_until + 1) as lost_customers
    from active_months
    group by active_until + 1
),

at_end as (
    select
        calendar.*,
        coalesce(stretch_starts.new_customers, 0) as new_customers,
        coalesce(stretch_starts.reactivated_customers, 0) as reactivated_customers,
        coalesce(stretch_ends.lost_customers, 0) as lost_customers,
        sum(coalesce(stretch_starts.starts, 0) - coalesce(stretch_ends.ends, 0))
            over (order by calendar.month) as customers_at_end
    from calendar
    left join stretch_starts on calendar.month = stretch_starts.month
    left join stretch_ends on calendar.month = stretch_ends.month
),

counts as (
    select
        *,
        coalesce(lag(customers_at_end) over (order by month), 0) as customers_at_start
    from at_end
)

select
    period_start,
    period_end,
    is_complete,
    customers_at_start,
    new_customers,
    customers_at_end,
    customers_at_start - lost_customers as retained_customers,
    reactivated_customers,
    lost_customers,
    cast(customers_at_end - new_customers as double) / nullif(customers_at_start, 0)
        as retention_rate,
    cast(customers_at_start - lost_customers as double) / nullif(customers_at_start, 0)
        as strict_retention_rate,
    cast(lost_customers as double) / nullif(customers_at_start, 0) as churn_rate
from counts;


-- fct_growth_accounting -------------------------------------------------------------------------
-- On purchases in the month: each active customer is new (cohort month), retained (also active
-- last month) or resurrected; a customer active last month but not this one churned.
create or replace table baseline.fct_growth_accounting as
with

classified as (
    select
        month,
        net_revenue_base,
        previous_net_revenue_base,
        case
            when month = cohort_month then 'new'
            when previous_month = month - 1 then 'retained'
            else 'resurrected'
        end as growth_state
    from active_months
),

active_counts as (
    select
        month,
        count(*) filter (where growth_state = 'new') as new_customers,
        count(*) filter (where growth_state = 'retained') as retained_customers,
        count(*) filter (where growth_state = 'resurrected') as resurrected_customers,
        sum(net_revenue_base) filter (where growth_state = 'new') as new_revenue_base,
        sum(net_revenue_base) filter (where growth_state = 'retained') as retained_revenue_base,
        sum(net_revenue_base) filter (where growth_state = 'resurrected')
            as resurrected_revenue_base,
        sum(net_revenue_base - previous_net_revenue_base) filter (
            where growth_state = 'retained' and net_revenue_base > previous_net_revenue_base
        ) as expansion_revenue_base,
        sum(previous_net_revenue_base - net_revenue_base) filter (
            where growth_state = 'retained' and net_revenue_base < previous_net_revenue_base
        ) as contraction_revenue_base
    from classified
    group by month
),

churn as (
    select
        month + 1 as month,
        count(*) as churned_customers,
        sum(net_revenue_base) as churned_revenue_base
    from active_months
    where next_month is distinct from month + 1
    group by month + 1
),

per_period as (
    select
        calendar.period_start,
        calendar.period_end,
        calendar.is_complete,
        coalesce(active_counts.new_customers, 0) as new_customers,
        coalesce(active_counts.retained_customers, 0) as retained_customers,
        coalesce(active_counts.resurrected_customers, 0) as resurrected_customers,
        coalesce(churn.churned_customers, 0) as churned_customers,
        coalesce(active_counts.new_revenue_base, 0) as new_revenue_base,
        coalesce(active_counts.retained_revenue_base, 0) as retained_revenue_base,
        coalesce(active_counts.resurrected_revenue_base, 0) as resurrected_revenue_base,
        coalesce(churn.churned_revenue_base, 0) as churned_revenue_base,
        coalesce(active_counts.expansion_revenue_base, 0) as expansion_revenue_base,
        coalesce(active_counts.contraction_revenue_base, 0) as contraction_revenue_base
    from calendar
    left join active_counts on calendar.month = active_counts.month
    left join churn on calendar.month = churn.month
)

select
    period_start,
    period_end,
    is_complete,
    new_customers,
    retained_customers,
    resurrected_customers,
    churned_customers,
    new_customers + retained_customers + resurrected_customers as active_customers,
    new_revenue_base,
    retained_revenue_base,
    resurrected_revenue_base,
    churned_revenue_base,
    expansion_revenue_base,
    contraction_revenue_base,
    cast(new_customers + resurrected_customers as double) / nullif(churned_customers, 0)
        as customer_quick_ratio,
    cast(new_revenue_base + resurrected_revenue_base + expansion_revenue_base as double)
        / nullif(churned_revenue_base + contraction_revenue_base, 0) as revenue_quick_ratio
from per_period;


-- fct_cohort_retention ------------------------------------------------------------------------------
-- Every cohort is observed in every month from its own to the last, so customers_observed is the
-- cohort size; cohort x month rows come from the small cohort and calendar tables.
create or replace table baseline.fct_cohort_retention as
with

cohorts as (
    select cohort_month, count(*) as cohort_size
    from active_months
    where month = cohort_month
    group by cohort_month
),

cohort_activity as (
    select
        cohort_month,
        month,
        count(*) as active_customers,
        sum(net_revenue_base) as net_revenue_base
    from active_months
    group by cohort_month, month
),

cohort_months as (
    select
        cohort_calendar.period_start as cohort_period,
        calendar.month - cohorts.cohort_month as period_number,
        calendar.is_complete,
        cohorts.cohort_size,
        coalesce(cohort_activity.active_customers, 0) as active_customers,
        coalesce(cohort_activity.net_revenue_base, 0) as net_revenue_base
    from cohorts
    inner join calendar as cohort_calendar on cohorts.cohort_month = cohort_calendar.month
    inner join calendar on calendar.month >= cohorts.cohort_month
    left join cohort_activity
        on cohorts.cohort_month = cohort_activity.cohort_month
        and calendar.month = cohort_activity.month
)

select
    cast(cohort_period as varchar) || '/' || cast(period_number as varchar) as cohort_retention_id,
    cohort_period,
    period_number,
    is_complete,
    cohort_size,
    cohort_size as customers_observed,
    active_customers,
    cast(active_customers as double) / nullif(cohort_size, 0) as cohort_retention_rate,
    net_revenue_base,
    cast(sum(net_revenue_base) over (
        partition by cohort_period order by period_number
        rows between unbounded preceding and current row
    ) as double) / nullif(cohort_size, 0) as cumulative_net_revenue_per_customer
from cohort_months;


-- int_clv__rfm_summary --------------------------------------------------------------------------------
-- Buy-Till-You-Die summary up to the calibration end (= the analysis date): purchase days, not
-- orders, are transactions; frequency counts the repeat days, monetary value is their mean.
create or replace table baseline.int_clv__rfm_summary as
select
    customer_id,
    purchase_days - 1 as frequency,
    last_purchase_date - first_purchase_date as recency_days,
    getvariable('as_of_date') - first_purchase_date as customer_age_days,
    cast(last_purchase_date - first_purchase_date as double) / getvariable('clv_time_unit_days')
        as recency,
    cast(getvariable('as_of_date') - first_purchase_date as double)
        / getvariable('clv_time_unit_days') as customer_age,
    cast(net_revenue_base - first_day_net_revenue_base as double) / nullif(purchase_days - 1, 0)
        as monetary_value,
    net_revenue_base,
    first_purchase_date,
    last_purchase_date,
    getvariable('as_of_date') as calibration_end_date
from customer_summary;


-- fct_rfm_segments -------------------------------------------------------------------------------
-- Quintiles (5 = best) of recency, purchases and net revenue at the analysis date, ties broken
-- by the other two dimensions then customer_id; segment from the seed on R x round-half-up((F+M)/2).
create or replace table baseline.fct_rfm_segments as
with

segment_map as (
    select * from read_csv(getvariable('seeds_dir') || '/rfm_segment_map.csv')
),

features as (
    select
        customer_id,
        getvariable('as_of_date') - last_purchase_date as days_since_last_purchase,
        purchases,
        net_revenue_base,
        last_purchase_date
    from customer_summary
),

scored as (
    select
        *,
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
    from features
),

combined as (
    select
        *,
        cast(floor((frequency_score + monetary_score + 1) / 2.0) as integer) as fm_score,
        -- rank-based, so customers tied at the cut-off are all in
        net_revenue_rank <= getvariable('vip_top_share') * customers
        and purchases_rank <= getvariable('vip_top_share') * customers as is_vip
    from scored
)

select
    combined.customer_id,
    segment_map.rfm_segment,
    cast(combined.recency_score as varchar)
    || cast(combined.frequency_score as varchar)
    || cast(combined.monetary_score as varchar) as rfm_code,
    combined.recency_score,
    combined.frequency_score,
    combined.monetary_score,
    combined.fm_score,
    combined.is_vip,
    combined.days_since_last_purchase,
    combined.purchases,
    combined.net_revenue_base,
    getvariable('as_of_date') as as_of_date,
    combined.last_purchase_date
from combined
left join segment_map
    on combined.recency_score = segment_map.recency_score
    and combined.fm_score = segment_map.fm_score;
