{#- The rows the churn step (retention_warehouse.churn) reads: customers at the current snapshot
    and experiment participants at the last snapshot before their assignment (scored, in batches:
    the experiments mart reads the treatment effect by the risk segment a customer had when
    assigned) and, thinned, at the newest closed backtest snapshot (validation) and at
    every closed snapshot (learning). Each fit learns from, and the validation judges, at most
    `max_rows` rows: an even stride over the rows ordered by snapshot and customer (every k-th,
    k = ceil(rows / max_rows)), which keeps every snapshot's share and picks the same rows on every
    engine. So the step holds about 1.5M rows at any size, however many customers are scored. -#}
{%- set max_rows = var("churn_max_fit_rows") | int -%}

with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

outcomes as (

    select * from {{ ref('int_churn__outcomes') }}

),

snapshots as (

    select * from {{ ref('int_calendar__churn_snapshots') }}

),

baselines as (

    select * from {{ ref('int_experiments__baseline_snapshots') }}

),

experiment_baselines as (

    select distinct
        customer_id,
        snapshot_date

    from baselines

),

newest_closed as (

    select max(snapshot_date) as snapshot_date
    from snapshots
    where snapshot_type = 'backtest'

),

snapshot_sizes as (

    select
        snapshot_date,
        count(*) as snapshot_rows

    from features
    group by snapshot_date

),

snapshot_roles as (

    select
        snapshots.snapshot_date,
        snapshot_sizes.snapshot_rows,
        snapshots.snapshot_type = 'current' as is_current,
        snapshots.snapshot_type = 'backtest' as is_closed,
        snapshots.snapshot_type = 'backtest' and snapshots.snapshot_date < newest_closed.snapshot_date as is_older,
        snapshots.snapshot_date = newest_closed.snapshot_date as is_validation

    from snapshots
    inner join snapshot_sizes
        on snapshots.snapshot_date = snapshot_sizes.snapshot_date
    cross join newest_closed

),

snapshot_offsets as (

    {#- Older snapshots come first in date order, then the newest closed one, then the current
        one, so a row's rank in (snapshot_date, customer_id) order among the older or the closed
        rows is the rows of the snapshots before its own plus its rank within it. #}
    select
        *,
        coalesce(sum(snapshot_rows) over (
            order by snapshot_date rows between unbounded preceding and 1 preceding
        ), 0) as rows_before,
        sum(case when is_older then snapshot_rows else 0 end) over () as older_rows,
        sum(case when is_closed then snapshot_rows else 0 end) over () as closed_rows,
        sum(case when is_validation then snapshot_rows else 0 end) over () as validation_rows

    from snapshot_roles

),

strides as (

    {#- Every k-th row, k = ceil(rows / max_rows); at least 1, also for an empty set. #}
    select
        *,
        greatest(cast(ceil(older_rows / {{ max_rows }}.0) as bigint), 1) as older_stride,
        greatest(cast(ceil(closed_rows / {{ max_rows }}.0) as bigint), 1) as closed_stride,
        greatest(cast(ceil(validation_rows / {{ max_rows }}.0) as bigint), 1) as validation_stride

    from snapshot_offsets

),

numbered as (

    select
        features.*,
        outcomes.is_non_returning,
        experiment_baselines.customer_id is not null as is_experiment_baseline,
        row_number() over (partition by features.snapshot_date order by features.customer_id) as row_in_snapshot

    from features
    left join outcomes
        on
            features.snapshot_date = outcomes.snapshot_date
            and features.customer_id = outcomes.customer_id
    left join experiment_baselines
        on
            features.snapshot_date = experiment_baselines.snapshot_date
            and features.customer_id = experiment_baselines.customer_id

),

sampled as (

    select
        numbered.*,
        strides.is_current,
        strides.is_validation
        and mod(numbered.row_in_snapshot - 1, strides.validation_stride) = 0 as is_validation_sample,
        strides.is_older
        and mod(strides.rows_before + numbered.row_in_snapshot - 1, strides.older_stride) = 0
            as is_validation_training,
        strides.is_closed
        and mod(strides.rows_before + numbered.row_in_snapshot - 1, strides.closed_stride) = 0
            as is_final_training

    from numbered
    inner join strides
        on numbered.snapshot_date = strides.snapshot_date

)

select
    snapshot_date,
    customer_id,
    is_current or is_experiment_baseline as is_scored,
    is_validation_sample as is_validation,
    is_validation_training,
    is_final_training,
    is_validation_sample or is_validation_training or is_final_training as is_fit_row,
    is_non_returning,
    purchase_days,
    days_since_last_purchase,
    net_revenue_base,
    purchases_last_window,
    purchases_previous_window,
    first_purchase_date,
    last_purchase_date

from sampled
where is_current or is_experiment_baseline or is_validation_sample or is_validation_training or is_final_training
