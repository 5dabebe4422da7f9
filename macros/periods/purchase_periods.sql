{#- The periods of `grain` from the first purchase's to the analysis date's: one row each with
    period_index (0 = the first period), period_start, first_purchase_date and as_of_date. Both
    calendars (int_calendar__periods, int_calendar__churn_snapshots) start from it; it reads the
    calling model's `purchases` (int_orders__purchases) and `analysis_date` import CTEs. -#}
{% macro purchase_periods(grain) -%}
    select
        numbered.period_index,
        cast({{ dbt.dateadd(grain, 'numbered.period_index', 'numbered.first_period') }} as date) as period_start,
        numbered.first_purchase_date,
        numbered.as_of_date

    from (
        select
            bounds.first_purchase_date,
            bounds.first_period,
            bounds.as_of_date,
            {{ integer_series(periods_between(
                'bounds.first_period', period_start('bounds.as_of_date', grain), grain
            )) }} as period_index

        from (
            select
                min(purchases.order_date) as first_purchase_date,
                {{ period_start('min(purchases.order_date)', grain) }} as first_period,
                (select analysis_date.as_of_date from analysis_date) as as_of_date

            from purchases
        ) as bounds
    ) as numbered
{%- endmacro %}
