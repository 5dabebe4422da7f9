{#- Gamma-Gamma sufficient statistics: repeat customers grouped by (x, mean repeat spend m).
    Customers whose repeat transactions sum to zero or less cannot be Gamma distributed and are
    left out of the spend fit (they still get a prediction from the population mean). -#}
with

rfm as (

    select * from {{ ref('int_clv__rfm_summary') }}
    where frequency > 0 and monetary_value > 0

)

select
    {{ dbt.concat([
        'cast(frequency as ' ~ dbt.type_string() ~ ')', "'/'",
        'cast(monetary_value as ' ~ dbt.type_string() ~ ')',
    ]) }} as statistics_id,
    frequency,
    monetary_value,
    count(*) as customers

from rfm
group by frequency, monetary_value
