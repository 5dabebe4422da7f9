{#- Retention experiments: per experiment, variant, outcome window and churn risk segment before
    assignment (plus an `all` row over the segments), the sample and the share of observed
    customers who purchased within the window; every non-control variant is compared with the
    control of its experiment in the same segment (absolute uplift with a Wald 95 % interval,
    relative uplift with a log risk-ratio 95 % interval; macros/playbooks/experiment_stats.sql).
    Rates and statistics are rounded to 6 decimals so results compare exactly across engines. -#}
with

window_counts as (

    select * from {{ ref('int_experiments__window_counts') }}

),

all_segments as (

    select
        experiment_id,
        variant,
        window_days,
        'all' as risk_segment,
        0 as segment_rank,
        cast(sum(assigned_customers) as bigint) as assigned_customers,
        cast(sum(observed_customers) as bigint) as observed_customers,
        cast(sum(retained_customers) as bigint) as retained_customers,
        min(first_assigned_date) as first_assigned_date,
        max(last_assigned_date) as last_assigned_date

    from window_counts
    group by experiment_id, variant, window_days

),

counts as (

    select
        experiment_id,
        variant,
        window_days,
        risk_segment,
        segment_rank,
        assigned_customers,
        observed_customers,
        retained_customers,
        first_assigned_date,
        last_assigned_date

    from window_counts

    union all

    select * from all_segments

),

rates as (

    select
        *,
        {{ safe_divide('retained_customers', 'observed_customers') }} as retention_rate

    from counts

),

controls as (

    select
        experiment_id,
        window_days,
        risk_segment,
        observed_customers as control_customers,
        retention_rate as control_rate

    from rates
    where variant = 'control'

),

compared as (

    select
        rates.*,
        case when rates.variant != 'control' then controls.control_customers end as control_customers,
        case when rates.variant != 'control' then controls.control_rate end as control_rate

    from rates
    left join controls
        on
            rates.experiment_id = controls.experiment_id
            and rates.window_days = controls.window_days
            and rates.risk_segment = controls.risk_segment

)

select
    {{ dbt.concat([
        'experiment_id', "'/'", 'variant', "'/'", 'cast(window_days as ' ~ dbt.type_string() ~ ')', "'/'",
        'risk_segment',
    ]) }} as experiment_segment_id,
    experiment_id,
    variant,
    window_days,
    risk_segment,
    cast(segment_rank as int) as segment_rank,
    assigned_customers,
    observed_customers,
    retained_customers,
    round(retention_rate, 6) as retention_rate,
    round(control_rate, 6) as control_retention_rate,
    round({{ absolute_uplift('retention_rate', 'control_rate') }}, 6) as absolute_uplift,
    round({{ absolute_uplift_bound(
        'retention_rate', 'observed_customers', 'control_rate', 'control_customers', 'lower'
    ) }}, 6) as absolute_uplift_ci_lower,
    round({{ absolute_uplift_bound(
        'retention_rate', 'observed_customers', 'control_rate', 'control_customers', 'upper'
    ) }}, 6) as absolute_uplift_ci_upper,
    round({{ relative_uplift('retention_rate', 'control_rate') }}, 6) as relative_uplift,
    round({{ relative_uplift_bound(
        'retention_rate', 'observed_customers', 'control_rate', 'control_customers', 'lower'
    ) }}, 6) as relative_uplift_ci_lower,
    round({{ relative_uplift_bound(
        'retention_rate', 'observed_customers', 'control_rate', 'control_customers', 'upper'
    ) }}, 6) as relative_uplift_ci_upper,
    first_assigned_date,
    last_assigned_date

from compared
