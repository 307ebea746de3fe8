-- Data quality at a glance: what landing quarantined and what silver rejected, by reason.
select 'landing' as stage, source_table as entity, reason, count(*) as records
from {{ ref('stg_landing__quarantine') }}
group by source_table, reason
union all
select 'silver', 'customers', reject_reason, count(*) from {{ ref('slv_customers__rejects') }}
group by reject_reason
union all
select 'silver', 'accounts', reject_reason, count(*) from {{ ref('slv_accounts__rejects') }}
group by reject_reason
union all
select 'silver', 'transactions', reject_reason, count(*) from {{ ref('slv_transactions__rejects') }}
group by reject_reason
union all
select 'silver', 'transaction_events', reject_reason, count(*)
from {{ ref('slv_transaction_events__rejects') }}
group by reject_reason
order by stage, entity, records desc
