-- Transaction types the source uses that the transaction_types seed does not map yet
-- (silver flags them unmapped_transaction_type; gold files them as 'uncategorised').
-- Add a row to seeds/transaction_types.csv for each one worth a category.
select
    transaction_type,
    count(*) as transactions,
    min(transaction_ts) as first_seen,
    max(transaction_ts) as last_seen
from {{ ref('slv_transactions') }}
where {{ dbt.position("'unmapped_transaction_type'", "coalesce(quality_issues, '')") }} > 0
group by transaction_type
order by transactions desc
