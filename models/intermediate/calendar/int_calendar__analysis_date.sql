{#- The analysis date of every point-in-time model, as one row: the `as_of_date` var, else the date
    of the last purchase (completed order). Models read it through an import CTE. -#}
with

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

last_purchase as (

    select max(order_date) as last_purchase_date
    from purchases

)

select {{ date_var('as_of_date') or 'last_purchase_date' }} as as_of_date
from last_purchase
