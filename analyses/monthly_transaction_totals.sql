-- Booked volume per month in the reporting currency (posted transactions; pending and
-- reversed apart), from gold.fact_monthly_transaction_totals, the same figures as the
-- report's monthly table and `mf query --saved-query monthly_transaction_totals`.
-- `dbt compile --select monthly_transaction_totals` writes it to target/compiled/.
select
    month_start,
    reporting_currency,
    booked_amount_reporting,
    booked_net_flow_reporting,
    pending_amount_reporting,
    reversed_amount_reporting,
    transactions,
    posted_transactions,
    booked_without_rate,
    active_customers
from {{ ref('fact_monthly_transaction_totals') }}
where transactions > 0
order by month_start
