{#- The rows the churn step (retention_warehouse.churn) reads: customers at the current snapshot
    and experiment participants at the last snapshot before their assignment (scored, in batches:
    the experiments mart reads the treatment effect by the risk segment a customer had when
    assigned) and, thinned, at the newest closed backtest snapshot (validation) and at
    every closed snapshot (learning). Each fit learns from, and the validation judges, at most
    `max_rows` rows: an even stride over the rows ordered by snapshot and customer (every k-th,
    k = ceil(rows / max_rows)), which keeps every snapshot's share and picks the same rows on every
    engine. So the step holds about 1.5M rows at any size, however many customers are scored. -#}
{%- set max_rows = 500000 -%}

with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

outcomes as (

    select * from {{ ref('int_churn__outcomes') }}

),

snapshots as (

    select * from {{ ref('int_churn__snapshot_dates') }}

),

baselines as (

    select * from {{ ref('int_experiment_baseline_snapshots') }}

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

labelled as (

    select
        features.*,
        outcomes.is_non_returning,
        snapshots.snapshot_type = 'current' as is_current,
        experiment_baselines.customer_id is not null as is_experiment_baseline,
        snapshots.snapshot_type = 'backtest' as is_closed,
        snapshots.snapshot_type = 'backtest' and features.snapshot_date < newest_closed.snapshot_date as is_older,
        features.snapshot_date = newest_closed.snapshot_date as is_validation

    from features
    inner join snapshots
        on features.snapshot_date = snapshots.snapshot_date
    left join outcomes
        on
            features.snapshot_date = outcomes.snapshot_date
            and features.customer_id = outcomes.customer_id
    left join experiment_baselines
        on
            features.snapshot_date = experiment_baselines.snapshot_date
            and features.customer_id = experiment_baselines.customer_id
    cross join newest_closed

),

numbered as (

    select
        *,
        row_number() over (partition by is_older order by snapshot_date, customer_id) as older_row_number,
        count(*) over (partition by is_older) as older_rows,
        row_number() over (partition by is_closed order by snapshot_date, customer_id) as closed_row_number,
        count(*) over (partition by is_closed) as closed_rows,
        row_number() over (partition by is_validation order by customer_id) as validation_row_number,
        count(*) over (partition by is_validation) as validation_rows

    from labelled

),

sampled as (

    select
        *,
        is_validation and mod(
            validation_row_number - 1, cast(ceil(validation_rows / {{ max_rows }}.0) as bigint)
        ) = 0 as is_validation_sample,
        is_older and mod(older_row_number - 1, cast(ceil(older_rows / {{ max_rows }}.0) as bigint)) = 0
            as is_validation_training,
        is_closed and mod(closed_row_number - 1, cast(ceil(closed_rows / {{ max_rows }}.0) as bigint)) = 0
            as is_final_training

    from numbered

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
