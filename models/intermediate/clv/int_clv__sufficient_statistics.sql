{#- BG/NBD sufficient statistics: customers with the same (x, t_x, T) have the same likelihood
    term and the same predictions, so the fit and the scoring work on these groups. -#}
with

rfm as (

    select * from {{ ref('int_clv__rfm_summary') }}

)

select
    {{ dbt.concat([
        'cast(frequency as ' ~ dbt.type_string() ~ ')', "'/'",
        'cast(recency_days as ' ~ dbt.type_string() ~ ')', "'/'",
        'cast(customer_age_days as ' ~ dbt.type_string() ~ ')',
    ]) }} as statistics_id,
    frequency,
    recency_days,
    customer_age_days,
    recency,
    customer_age,
    count(*) as customers

from rfm
group by frequency, recency_days, customer_age_days, recency, customer_age
