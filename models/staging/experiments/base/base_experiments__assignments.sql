with

source as (

    select * from {{ source('experiments', 'experiment_assignments') }}

),

customers as (

    select customer_id from {{ ref('base_shop__customers') }}
    where quarantine_reason is null

),

typed as (

    select
        assignment_id,
        experiment_id,
        customer_id,
        lower(variant) as variant,
        try_cast(assigned_at as timestamp) as assigned_at_utc,
        assigned_at as assigned_at_raw,
        {{ content_hash(['assignment_id', 'experiment_id', 'customer_id', 'variant', 'assigned_at']) }}
            as content_hash

    from source

),

duplicate_keys as (

    {{ duplicate_keys('typed', 'assignment_id') }}

),

ranked as (

    {{ rank_duplicates('typed', 'duplicate_keys', 'assignment_id') }}

),

validated as (

    select
        ranked.*,
        case
            when ranked.assignment_id is null then 'missing_assignment_id'
            when ranked.experiment_id is null then 'missing_experiment_id'
            when ranked.customer_id is null then 'missing_customer'
            when ranked.assigned_at_utc is null then 'unparseable_date'
            when ranked.assigned_at_utc > {{ dbt.current_timestamp() }} then 'future_date'
            when ranked.variant not in ('control', 'treatment') or ranked.variant is null then 'unknown_variant'
            when ranked.has_conflicting_duplicate then 'conflicting_duplicate'
            when ranked.duplicate_rank > 1 then 'exact_duplicate'
            when customers.customer_id is null then 'unknown_customer'
        end as row_issue

    from ranked
    left join customers
        on ranked.customer_id = customers.customer_id

),

sequenced as (

    select
        *,
        -- A customer belongs to one variant per experiment: a later usable assignment of the same
        -- customer would count them in two arms, so only the first one is kept.
        row_number() over (
            partition by experiment_id, customer_id, row_issue is null
            order by assigned_at_utc, assignment_id
        ) as customer_assignment_rank

    from validated

)

select
    {{ raw_row_key('assignment_id') }} as raw_row_key,
    assignment_id,
    experiment_id,
    customer_id,
    variant,
    coalesce(
        row_issue,
        case when customer_assignment_rank > 1 then 'repeat_assignment' end
    ) as quarantine_reason,
    assigned_at_utc,
    assigned_at_raw

from sequenced
