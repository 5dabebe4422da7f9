{#- Churn probability of every customer at the analysis date, from the latest churn fit. -#}
with

churn_scores as (

    select * from {{ source('clv_fit', 'churn_scores') }}

)

select
    customer_id,
    run_id,
    top_churn_features,
    churn_probability,
    cast(snapshot_date as date) as snapshot_date

from churn_scores
