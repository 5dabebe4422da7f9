{#- The churn snapshot each experiment assignment is segmented at: the last one before the
    assignment date, so the segment uses only what was known before the treatment. Assignments
    with no earlier snapshot have no row. -#}
with

assignments as (

    select * from {{ ref('stg_experiments__assignments') }}

),

snapshots as (

    select * from {{ ref('int_calendar__churn_snapshots') }}

)

select
    assignments.assignment_id,
    assignments.customer_id,
    max(snapshots.snapshot_date) as snapshot_date

from assignments
inner join snapshots
    on assignments.assigned_date > snapshots.snapshot_date
group by assignments.assignment_id, assignments.customer_id
