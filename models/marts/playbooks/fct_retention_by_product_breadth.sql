{#- Retention after k = 1, 2, 3 years by product breadth in the first year. A customer is
    retained after k years when they purchased in tenure year k + 1 (days [365 k, 365 (k + 1))
    after the first purchase), and eligible when that year is complete: their first purchase is at
    least 365 (k + 1) - 1 days before the analysis date. Breadth (year 1) and the retention year
    never overlap. -#}
{%- set years_after = [1, 2, 3] -%}

with

active_years as (

    select * from {{ ref('int_customers__active_tenure_years') }}
    where is_complete

),

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}

),

breadth as (

    select * from {{ ref('int_customers__product_breadth') }}

),

horizons as (

    {%- for years in years_after %}

        select {{ years }} as years_after_first_purchase
        {% if not loop.last %}union all{% endif %}

    {%- endfor %}

),

buckets as (

    select distinct product_breadth from breadth

),

eligible as (

    select
        breadth.product_breadth,
        horizons.years_after_first_purchase,
        count(*) as eligible_customers

    from breadth
    inner join cohorts
        on breadth.customer_id = cohorts.customer_id
    inner join horizons
        on horizons.years_after_first_purchase < {{ completed_tenure_years('cohorts.tenure_days') }}
    group by breadth.product_breadth, horizons.years_after_first_purchase

),

retained as (

    select
        breadth.product_breadth,
        active_years.tenure_year - 1 as years_after_first_purchase,
        count(*) as retained_customers

    from active_years
    inner join breadth
        on active_years.customer_id = breadth.customer_id
    group by breadth.product_breadth, active_years.tenure_year - 1

),

counts as (

    select
        eligible.product_breadth,
        eligible.years_after_first_purchase,
        eligible.eligible_customers,
        coalesce(retained.retained_customers, 0) as retained_customers

    from eligible
    left join retained
        on
            eligible.product_breadth = retained.product_breadth
            and eligible.years_after_first_purchase = retained.years_after_first_purchase

)

select
    {{ dbt.concat([
        'buckets.product_breadth', "'/'", 'cast(horizons.years_after_first_purchase as ' ~ dbt.type_string() ~ ')',
    ]) }} as breadth_retention_id,
    buckets.product_breadth,
    horizons.years_after_first_purchase,
    coalesce(counts.eligible_customers, 0) as eligible_customers,
    coalesce(counts.retained_customers, 0) as retained_customers,
    {{ strict_retention_rate('counts.retained_customers', 'counts.eligible_customers') }} as next_year_retention_rate

from buckets
cross join horizons
left join counts
    on
        buckets.product_breadth = counts.product_breadth
        and horizons.years_after_first_purchase = counts.years_after_first_purchase
