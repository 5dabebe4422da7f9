{#- Buy-Till-You-Die transactions: all purchases of one customer on one day are one transaction,
    amounts summed. Running totals and the next transaction date let point-in-time models read a
    customer's history as of any date from a single row. Gross margin is net revenue minus the cost of the items sold, known only when
    every item of every order that day has a product cost (imported orders have none). -#}
with

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

order_items as (

    select * from {{ ref('int_order_items__products') }}

),

order_costs as (

    select
        order_id,
        count(*) as item_lines,
        count(line_cost_base) as costed_item_lines,
        sum(line_cost_base) as cost_base

    from order_items
    group by order_id

),

purchase_margins as (

    select
        purchases.customer_id,
        purchases.order_date,
        purchases.net_revenue_base,
        case
            when order_costs.item_lines = order_costs.costed_item_lines
                then purchases.net_revenue_base - order_costs.cost_base
        end as gross_margin_base

    from purchases
    left join order_costs
        on purchases.order_id = order_costs.order_id

),

transactions as (

    select
        customer_id,
        order_date as transaction_date,
        count(*) as orders,
        sum(net_revenue_base) as net_revenue_base,
        case
            when count(gross_margin_base) = count(*) then sum(gross_margin_base)
        end as gross_margin_base

    from purchase_margins
    group by customer_id, order_date

),

numbered as (

    select
        *,
        row_number() over (partition by customer_id order by transaction_date) - 1 as transaction_number,
        min(transaction_date) over (partition by customer_id) as first_transaction_date,
        sum(orders) over (
            partition by customer_id order by transaction_date
            rows between unbounded preceding and current row
        ) as orders_to_date,
        sum(net_revenue_base) over (
            partition by customer_id order by transaction_date
            rows between unbounded preceding and current row
        ) as net_revenue_to_date_base,
        lead(transaction_date) over (partition by customer_id order by transaction_date) as next_transaction_date

    from transactions

)

select
    {{ dbt.concat(['customer_id', "'/'", 'cast(transaction_date as ' ~ dbt.type_string() ~ ')']) }}
        as transaction_id,
    customer_id,
    transaction_number,
    {{ dbt.datediff(
        'first_transaction_date', 'transaction_date', 'day'
    ) }} as days_since_first_purchase,
    {{ clv_age_months(dbt.datediff(
        'first_transaction_date', 'transaction_date', 'day'
    )) }} as age_month,
    orders,
    net_revenue_base,
    gross_margin_base,
    orders_to_date,
    net_revenue_to_date_base,
    transaction_date,
    next_transaction_date

from numbered
