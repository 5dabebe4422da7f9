{#- How well the churn probability predicted non-return on the held-out snapshot of the churn fit's
    validation, per segment, plus an `all` row. AUC is the Mann-Whitney statistic: the probability that a random
    non-returning customer scored higher than a random returning one (ties count one half),
    computed from average ranks: (sum of non-returners' ranks - n_pos (n_pos + 1) / 2) / (n_pos n_neg).
    On a segment row it measures discrimination within the segment. -#}
with

backtest_customers as (

    select * from {{ ref('int_churn__backtest_customers') }}

),

score_groups as (

    select
        snapshot_date,
        outcome_window_end,
        risk_segment,
        segment_rank,
        churn_probability,
        count(*) as customers,
        sum(case when is_non_returning then 1 else 0 end) as non_returning_customers

    from backtest_customers
    group by snapshot_date, outcome_window_end, risk_segment, segment_rank, churn_probability

),

ranked as (

    {#- Customers with the same score share the average of their ranks: the customers scored
        lower, plus (n + 1) / 2. Ranked over the snapshot's customers and within the segment. #}
    select
        *,
        coalesce(
            sum(customers) over (
                partition by snapshot_date order by churn_probability
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) + (customers + 1) / 2.0 as average_rank_in_snapshot,
        coalesce(
            sum(customers) over (
                partition by snapshot_date, risk_segment order by churn_probability
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) + (customers + 1) / 2.0 as average_rank_in_segment

    from score_groups

),

per_group as (

    select
        snapshot_date,
        outcome_window_end,
        risk_segment,
        segment_rank,
        cast(sum(customers) as bigint) as customers,
        cast(sum(non_returning_customers) as bigint) as non_returning_customers,
        sum(non_returning_customers * average_rank_in_segment) as non_returning_rank_sum,
        sum(customers * churn_probability) / sum(customers) as mean_churn_probability

    from ranked
    group by snapshot_date, outcome_window_end, risk_segment, segment_rank

    union all

    select
        snapshot_date,
        outcome_window_end,
        'all' as risk_segment,
        0 as segment_rank,
        cast(sum(customers) as bigint) as customers,
        cast(sum(non_returning_customers) as bigint) as non_returning_customers,
        sum(non_returning_customers * average_rank_in_snapshot) as non_returning_rank_sum,
        sum(customers * churn_probability) / sum(customers) as mean_churn_probability

    from ranked
    group by snapshot_date, outcome_window_end

),

rates as (

    select
        *,
        customers - non_returning_customers as returning_customers,
        {{ safe_divide('non_returning_customers', 'customers') }} as non_return_rate

    from per_group

),

with_base_rate as (

    select
        *,
        max(case when risk_segment = 'all' then non_return_rate end)
            over (partition by snapshot_date) as base_non_return_rate

    from rates

)

select
    {{ dbt.concat(['cast(snapshot_date as ' ~ dbt.type_string() ~ ')', "'/'", 'risk_segment']) }}
        as churn_backtest_id,
    snapshot_date,
    outcome_window_end,
    risk_segment,
    cast(segment_rank as int) as segment_rank,
    customers,
    non_returning_customers,
    returning_customers,
    non_return_rate,
    base_non_return_rate,
    {{ safe_divide('non_return_rate', 'base_non_return_rate') }} as lift,
    mean_churn_probability,
    {{ safe_divide(
        'non_returning_rank_sum - cast(non_returning_customers as double) * (non_returning_customers + 1) / 2',
        'cast(non_returning_customers as double) * returning_customers',
    ) }} as score_auc

from with_base_rate
