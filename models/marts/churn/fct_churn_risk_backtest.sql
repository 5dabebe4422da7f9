{#- How well the churn-risk score predicted non-return, per backtest snapshot and segment, plus an
    `all` row per snapshot. AUC is the Mann-Whitney statistic: the probability that a random
    non-returning customer scored higher than a random returning one (ties count one half),
    computed from average ranks: (sum of non-returners' ranks - n_pos (n_pos + 1) / 2) / (n_pos n_neg).
    On a segment row it measures discrimination within the segment. -#}
with

backtest_customers as (

    select * from {{ ref('int_churn__backtest_customers') }}

),

grouped as (

    select
        snapshot_date,
        outcome_window_end,
        risk_segment,
        segment_rank,
        risk_score,
        is_non_returning

    from backtest_customers

    union all

    select
        snapshot_date,
        outcome_window_end,
        'all' as risk_segment,
        0 as segment_rank,
        risk_score,
        is_non_returning

    from backtest_customers

),

ranked as (

    select
        *,
        rank() over (partition by snapshot_date, risk_segment order by risk_score)
        + (count(*) over (partition by snapshot_date, risk_segment, risk_score) - 1) / 2.0
            as average_score_rank

    from grouped

),

per_group as (

    select
        snapshot_date,
        outcome_window_end,
        risk_segment,
        segment_rank,
        count(*) as customers,
        sum(case when is_non_returning then 1 else 0 end) as non_returning_customers,
        sum(case when is_non_returning then average_score_rank else 0 end) as non_returning_rank_sum,
        avg(risk_score) as mean_risk_score

    from ranked
    group by snapshot_date, outcome_window_end, risk_segment, segment_rank

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
    segment_rank,
    customers,
    non_returning_customers,
    returning_customers,
    non_return_rate,
    base_non_return_rate,
    {{ safe_divide('non_return_rate', 'base_non_return_rate') }} as lift,
    mean_risk_score,
    {{ safe_divide(
        'non_returning_rank_sum - cast(non_returning_customers as double) * (non_returning_customers + 1) / 2',
        'cast(non_returning_customers as double) * returning_customers',
    ) }} as score_auc

from with_base_rate
