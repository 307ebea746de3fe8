{#- Grain: one row per transaction in its current state (pending, posted or reversed).
    A transaction whose account is unknown (orphan account_id) joins the unknown account and
    customer members instead of disappearing. -#}
with transactions as (

    select * from {{ ref('slv_transactions') }}

),

accounts as (

    select account_key, account_id, customer_key, customer_id from {{ ref('dim_accounts') }}
    where not is_unknown_member

),

channels as (

    select transaction_id, channel from {{ ref('slv_transaction_channels') }}

),

facts as (

    select
        transactions.transaction_id,
        coalesce(accounts.account_key, {{ unknown_member_key() }}) as account_key,
        coalesce(accounts.customer_key, {{ unknown_member_key() }}) as customer_key,
        {{ date_key('transactions.transaction_ts') }} as date_key,
        transactions.transaction_ts,
        cast(transactions.transaction_ts as date) as transaction_date,
        transactions.amount,
        case
            when transactions.direction = 'C' then transactions.amount
            else -transactions.amount
        end as signed_amount,
        transactions.currency,
        case when transactions.direction = 'C' then 'credit' else 'debit' end as direction,
        transactions.transaction_type,
        transactions.transaction_category,
        transactions.status,
        coalesce(channels.channel, 'unknown') as channel,
        transactions.balance_after,
        transactions.account_id,
        accounts.customer_id
    from transactions
    left join accounts on transactions.account_id = accounts.account_id
    left join channels on transactions.transaction_id = channels.transaction_id

)

select * from facts
