{{ config(materialized='view') }}

with validated as (

    select * from {{ ref('slv_accounts__latest') }}

),

current_accounts as (

    select
        account_id,
        customer_id,
        account_number,
        account_type,
        currency,
        status,
        opened_at,
        closed_at,
        created_at,
        updated_at,
        change_id as last_change_id,
        change_committed_at as last_changed_at
    from validated
    where not is_deleted and reject_reasons is null

)

select * from current_accounts
