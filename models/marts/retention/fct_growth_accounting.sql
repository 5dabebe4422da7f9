{#- Growth accounting on period activity (purchased in the period): every active customer is new,
    retained or resurrected, and every customer active last period but not this one churned.
    Customer periods with neither state are not in the sparse activity rows and count nowhere;
    every calendar period gets a row. -#}
with

customer_periods as (

    select * from {{ ref('int_customers__period_activity') }}

),

periods as (

    select * from {{ ref('int_calendar__periods') }}

),

classified as (

    select
        period_start,
        period_end,
        is_complete,
        net_revenue_base,
        previous_period_net_revenue_base,
        case
            when is_active and period_number = 0 then 'new'
            when is_active and was_active_previous_period then 'retained'
            when is_active then 'resurrected'
            when was_active_previous_period then 'churned'
        end as growth_state

    from customer_periods

    union all

    {#- One empty row per calendar period, so a period without any activity still gets a row. #}
    select
        period_start,
        period_end,
        is_complete,
        0 as net_revenue_base,
        0 as previous_period_net_revenue_base,
        cast(null as {{ dbt.type_string() }}) as growth_state

    from periods

),

per_period as (

    select
        period_start,
        period_end,
        is_complete,
        count(case when growth_state = 'new' then 1 end) as new_customers,
        count(case when growth_state = 'retained' then 1 end) as retained_customers,
        count(case when growth_state = 'resurrected' then 1 end) as resurrected_customers,
        count(case when growth_state = 'churned' then 1 end) as churned_customers,
        sum(case when growth_state = 'new' then net_revenue_base else 0 end) as new_revenue_base,
        sum(case when growth_state = 'retained' then net_revenue_base else 0 end) as retained_revenue_base,
        sum(case when growth_state = 'resurrected' then net_revenue_base else 0 end) as resurrected_revenue_base,
        sum(
            case when growth_state = 'churned' then previous_period_net_revenue_base else 0 end
        ) as churned_revenue_base,
        sum(
            case
                when growth_state = 'retained' and net_revenue_base > previous_period_net_revenue_base
                    then net_revenue_base - previous_period_net_revenue_base
                else 0
            end
        ) as expansion_revenue_base,
        sum(
            case
                when growth_state = 'retained' and net_revenue_base < previous_period_net_revenue_base
                    then previous_period_net_revenue_base - net_revenue_base
                else 0
            end
        ) as contraction_revenue_base

    from classified
    group by period_start, period_end, is_complete

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
    {{ money('new_revenue_base') }} as new_revenue_base,
    {{ money('retained_revenue_base') }} as retained_revenue_base,
    {{ money('resurrected_revenue_base') }} as resurrected_revenue_base,
    {{ money('churned_revenue_base') }} as churned_revenue_base,
    {{ money('expansion_revenue_base') }} as expansion_revenue_base,
    {{ money('contraction_revenue_base') }} as contraction_revenue_base,
    {{ safe_divide('new_customers + resurrected_customers', 'churned_customers') }} as customer_quick_ratio,
    {{ safe_divide(
        'new_revenue_base + resurrected_revenue_base + expansion_revenue_base',
        'churned_revenue_base + contraction_revenue_base',
    ) }} as revenue_quick_ratio

from per_period
