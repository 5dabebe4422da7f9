{#- Churn-risk score and segment of every customer at every snapshot date: the one scoring
    definition behind `fct_customer_churn_risk` (current snapshot) and the backtest (past ones).
    The score estimates the probability of no purchase in the `churn_horizon_days` after the
    snapshot: risk = 1 - P(active) x P(purchase within the horizon | active).
    - P(purchase | active) = 1 - exp(-horizon / typical interval): a customer who is still
      active buys as a Poisson process at the rate of their typical interval.
    - P(active) is the weighted mean (`churn_risk_weights`) of the estimates that are present:
      from silence 1 / (1 + overdue ratio) (1 just after a purchase, 1/2 one typical interval
      later, 1/3 after two); from each trend (1 + trend) / 2 (null without activity in either
      window); and the CLV model's P(alive). P(alive) is used only when the fit was calibrated up
      to the snapshot date, i.e. on the data known then (by default the analysis date, so the
      backtest snapshots go without it), and only for customers with a repeat purchase: BG/NBD
      lets customers drop out only after a repeat purchase, so its P(alive) of a one-time buyer
      is 1 however long they have been silent.
    The score is rounded to 6 decimals so that ties are exact on every engine (the backtest AUC
    ranks them). -#}
{%- set weights = var('churn_risk_weights') -%}
{%- set horizon_days = var('churn_horizon_days') | int -%}

with

features as (

    select * from {{ ref('int_churn__customer_features') }}

),

snapshots as (

    select * from {{ ref('int_churn__snapshot_dates') }}

),

clv_predictions as (

    select * from {{ ref('int_clv__customer_predictions') }}

),

segments as (

    select * from {{ ref('churn_risk_segments') }}

),

estimates as (

    select
        features.snapshot_date,
        features.customer_id,
        snapshots.snapshot_type,
        snapshots.outcome_window_end,
        1 / (1 + features.overdue_ratio) as p_active_from_silence,
        (1 + features.frequency_trend) / 2 as p_active_from_frequency_trend,
        (1 + features.spend_trend) / 2 as p_active_from_spend_trend,
        case when not features.is_population_interval then clv_predictions.p_alive end as p_alive,
        1 - exp(-{{ horizon_days }} / features.typical_interval_days) as p_purchase_if_active

    from features
    inner join snapshots
        on features.snapshot_date = snapshots.snapshot_date
    left join clv_predictions
        on
            features.customer_id = clv_predictions.customer_id
            and features.snapshot_date = clv_predictions.calibration_end_date

),

blended as (

    select
        *,
        {{ weighted_mean_of_present([
            ('p_active_from_silence', weights['overdue']),
            ('p_active_from_frequency_trend', weights['frequency_trend']),
            ('p_active_from_spend_trend', weights['spend_trend']),
            ('p_alive', weights['p_alive']),
        ]) }} as p_active

    from estimates

),

scored as (

    select
        *,
        round(1 - p_active * p_purchase_if_active, 6) as risk_score

    from blended

)

select
    scored.snapshot_date,
    scored.customer_id,
    scored.snapshot_type,
    segments.risk_segment,
    segments.segment_rank,
    scored.p_active_from_silence,
    scored.p_active_from_frequency_trend,
    scored.p_active_from_spend_trend,
    scored.p_alive,
    scored.p_active,
    scored.p_purchase_if_active,
    scored.risk_score,
    scored.outcome_window_end

from scored
left join segments
    on
        scored.risk_score >= segments.min_risk_score
        and (scored.risk_score < segments.max_risk_score or segments.max_risk_score is null)
