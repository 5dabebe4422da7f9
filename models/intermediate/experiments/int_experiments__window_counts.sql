{#- Outcome counts of retention experiments, one row per experiment, variant, outcome window
    (`experiment_windows_days` var) and the churn risk segment customers had before assignment
    (at the last churn snapshot before it; `unscored` when there is none, or the customer had
    not bought by then). An assigned customer is retained within w days when they made
    a purchase at or after the assignment time and before assignment time + w days. The window is
    observed when assignment date + w days is on or before the analysis date; retention is
    counted over observed assignments only. -#}
with

assignments as (

    select * from {{ ref('stg_experiments__assignments') }}

),

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

baselines as (

    select * from {{ ref('int_experiments__baseline_snapshots') }}

),

churn_scores as (

    select * from {{ ref('int_churn__customer_scores') }}
    where model_role = 'final'

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

windows as (

    {%- for window_days in var('experiment_windows_days') %}

        select {{ window_days | int }} as window_days
        {% if not loop.last %}union all{% endif %}

    {%- endfor %}

),

assignment_segments as (

    select
        assignments.*,
        coalesce(churn_scores.risk_segment, 'unscored') as risk_segment,
        churn_scores.segment_rank

    from assignments
    left join baselines
        on assignments.assignment_id = baselines.assignment_id
    left join churn_scores
        on
            baselines.snapshot_date = churn_scores.snapshot_date
            and baselines.customer_id = churn_scores.customer_id

),

assignment_windows as (

    select
        assignments.assignment_id,
        assignments.experiment_id,
        assignments.variant,
        assignments.customer_id,
        assignments.assigned_at,
        assignments.assigned_date,
        assignments.risk_segment,
        assignments.segment_rank,
        windows.window_days,
        {{ dbt.dateadd('day', 'windows.window_days', 'assignments.assigned_at') }} as window_end_at,
        {{ dbt.dateadd('day', 'windows.window_days', 'assignments.assigned_date') }}
        <= analysis_date.as_of_date as is_observed

    from assignment_segments as assignments
    cross join windows
    cross join analysis_date

),

outcomes as (

    select
        assignment_windows.assignment_id,
        assignment_windows.experiment_id,
        assignment_windows.variant,
        assignment_windows.window_days,
        assignment_windows.risk_segment,
        assignment_windows.segment_rank,
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
        assignment_windows.risk_segment,
        assignment_windows.segment_rank,
        assignment_windows.assigned_date,
        assignment_windows.is_observed

)

select
    experiment_id,
    variant,
    window_days,
    risk_segment,
    segment_rank,
    count(*) as assigned_customers,
    count(case when is_observed then 1 end) as observed_customers,
    count(case when is_observed and is_retained then 1 end) as retained_customers,
    min(assigned_date) as first_assigned_date,
    max(assigned_date) as last_assigned_date

from outcomes
group by experiment_id, variant, window_days, risk_segment, segment_rank
