with

assignments as (

    select * from {{ ref('base_experiments__assignments') }}
    where quarantine_reason is null

),

converted as (

    select
        assignment_id,
        experiment_id,
        customer_id,
        variant,
        {{ to_reporting_tz('assigned_at_utc') }} as assigned_at

    from assignments

)

select
    assignment_id,
    experiment_id,
    customer_id,
    variant,
    assigned_at,
    cast(assigned_at as date) as assigned_date

from converted
