{#- Product breadth of a customer: distinct product categories bought in the first tenure year
    (days 0-364 after the first purchase, up to the analysis date), bucketed 1, 2, 3, 4+.
    Customers whose purchases have no real order lines are 'unknown': imported order files carry
    one line per order for the importer's placeholder product 'unknown'. -#}
with

cohorts as (

    select * from {{ ref('int_customers__cohorts') }}

),

purchases as (

    select * from {{ ref('int_orders__purchases') }}

),

order_items as (

    select * from {{ ref('int_order_items__products') }}

),

analysis_date as (

    select * from {{ ref('int_calendar__analysis_date') }}

),

first_year_categories as (

    select
        purchases.customer_id,
        order_items.category

    from purchases
    inner join cohorts
        on purchases.customer_id = cohorts.customer_id
    inner join order_items
        on purchases.order_id = order_items.order_id
    cross join analysis_date
    where
        purchases.order_date <= analysis_date.as_of_date
        and {{ tenure_year_index(dbt.datediff('cohorts.first_purchase_date', 'purchases.order_date', 'day')) }} = 0
        and order_items.product_id != 'unknown'

),

category_counts as (

    select
        customer_id,
        count(distinct category) as first_year_categories

    from first_year_categories
    group by customer_id

)

select
    cohorts.customer_id,
    case
        when category_counts.first_year_categories >= 4 then '4+'
        when category_counts.first_year_categories >= 1
            then cast(category_counts.first_year_categories as {{ dbt.type_string() }})
        else 'unknown'
    end as product_breadth,
    coalesce(category_counts.first_year_categories, 0) as first_year_categories

from cohorts
left join category_counts
    on cohorts.customer_id = category_counts.customer_id
where cohorts.is_acquired_by_analysis_date
