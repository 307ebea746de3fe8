{{ config(materialized='view') }}

with validated as (

    select * from {{ ref('slv_transactions__latest') }}

),

current_transactions as (

    select
        transaction_id,
        account_id,
        transaction_ts,
        amount,
        direction,
        currency,
        transaction_type,
        transaction_category,
        status,
        balance_after,
        counterparty_account,
        description,
        created_at,
        updated_at,
        change_id as last_change_id,
        change_committed_at as last_changed_at
    from validated
    where not is_deleted and reject_reasons is null

)

select * from current_transactions
