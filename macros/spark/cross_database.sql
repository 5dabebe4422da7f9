{#- Compact Spark versions of dbt's cross-database date macros. dbt-spark's own spark__dateadd
    and spark__datediff repeat their argument up to seven times (null checks, a separate clock
    component), so nested calls such as period_end(dateadd(...)) grow exponentially: one churn
    model compiled to 57 kB and took a minute to plan. Here each argument appears once, with the
    same results: a timestamp for dateadd (months clamp to the month end, as add_months does) and
    whole days between the dates for a 'day' datediff. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, cast({{ interval }} as int), {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- else -%}
        {{ dbt.spark__datediff(first_date, second_date, datepart) }}
    {%- endif -%}
{%- endmacro %}
