-- The finance team's question, "how much did each customer book?", answered from the one
-- definition of customer transaction totals (gold.fact_customer_transaction_totals: posted
-- transactions per customer_id over all its versions, in the reporting currency; pending
-- and reversed apart) with the customer's masked name (dim_customers_masked; a reader
-- allowed to see personal data may join dim_customers instead).
-- `dbt compile --select customer_transaction_totals` writes it to target/compiled/.
select
    totals.booked_amount_rank,
    totals.customer_id,
    customers.full_name_masked as customer_name,
    totals.reporting_currency,
    totals.booked_amount_reporting,
    totals.booked_net_flow_reporting,
    totals.pending_amount_reporting,
    totals.reversed_amount_reporting,
    totals.posted_transactions,
    totals.booked_without_rate
from {{ ref('fact_customer_transaction_totals') }} as totals
inner join {{ ref('dim_customers_masked') }} as customers
    on totals.latest_customer_key = customers.customer_key
where not totals.is_unknown_member
order by totals.booked_amount_rank
