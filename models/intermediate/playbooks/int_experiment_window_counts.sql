{#- Outcome counts of retention experiments, one row per experiment, variant and outcome window
    (`experiment_windows_days` var). An assigned customer is retained within w days when they made
    a purchase at or after the assignment time and before assignment time + w days. The window is
    observed when assignment date + w days is on or before the analysis date; retention is
    counted over observed assignments only. -#}
with

assignments as (

    select * from {{ ref('stg_experiments__assignments') }}

),

purchases as (

    select * from {{ ref('int_purchases') }}

),

analysis_date as (

    select {{ as_of_date() }} as as_of_date

),

windows as (

    {%- for window_days in var('experiment_windows_days') %}

        select {{ window_days | int }} as window_days
        {% if not loop.last %}union all{% endif %}

    {%- endfor %}

),

assignment_windows as (

    select
        assignments.assignment_id,
        assignments.experiment_id,
        assignments.variant,
        assignments.customer_id,
        assignments.assigned_at,
        assignments.assigned_date,
        windows.window_days,
        {{ dbt.dateadd('day', 'windows.window_days', 'assignments.assigned_at') }} as window_end_at,
        {{ dbt.dateadd('day', 'windows.window_days', 'assignments.assigned_date') }}
        <= analysis_date.as_of_date as is_observed

    from assignments
    cross join windows
    cross join analysis_date

),

outcomes as (

    select
        assignment_windows.assignment_id,
        assignment_windows.experiment_id,
        assignment_windows.variant,
        assignment_windows.window_days,
        assignment_windows.assigned_date,
        assignment_windows.is_observed,
        count(purchases.order_id) > 0 as is_retained

    from assignment_windows
    left join purchases
        on
            assignment_windows.customer_id = purchases.customer_id
            and assignment_windows.assigned_at <= purchases.ordered_at
            and assignment_windows.window_end_at > purchases.ordered_at
    group by
        assignment_windows.assignment_id,
        assignment_windows.experiment_id,
        assignment_windows.variant,
        assignment_windows.window_days,
        assignment_windows.assigned_date,
        assignment_windows.is_observed

)

select
    {{ dbt.concat([
        'experiment_id', "'/'", 'variant', "'/'", 'cast(window_days as ' ~ dbt.type_string() ~ ')',
    ]) }} as experiment_variant_window_id,
    experiment_id,
    variant,
    window_days,
    count(*) as assigned_customers,
    sum(case when is_observed then 1 else 0 end) as observed_customers,
    sum(case when is_observed and is_retained then 1 else 0 end) as retained_customers,
    min(assigned_date) as first_assigned_date,
    max(assigned_date) as last_assigned_date

from outcomes
group by experiment_id, variant, window_days
