-- The query the finance team runs today: total transaction amount per customer.
-- `dbt compile --select customer_transaction_totals` writes it to target/compiled/.
select
    customers.full_name as customer_name,
    customers.email,
    sum(facts.amount) as total_amount,
    count(*) as transactions
from {{ ref('fact_transactions') }} as facts
inner join {{ ref('dim_customers') }} as customers
    on facts.customer_key = customers.customer_key
where not customers.is_unknown_member
group by customers.full_name, customers.email
order by total_amount desc
