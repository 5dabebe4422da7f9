{#- Churn probabilities from the latest churn fit, by the model that produced them. -#}
with

churn_scores as (

    select * from {{ source('clv_fit', 'churn_scores') }}

)

select
    customer_id,
    run_id,
    model_role,
    top_churn_features,
    churn_probability,
    cast(snapshot_date as date) as snapshot_date

from churn_scores
