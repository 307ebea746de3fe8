{#- Incremental: a run reads only the raw rows landed since the last run. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='change_id',
        on_schema_change='append_new_columns',
    )
}}

with source as (

    select * from {{ source('core_banking', 'transactions') }}
    where 1 = 1 {{ landed_since_last_run('_landed_at', 'landed_at') }}

),

renamed as (

    select
        {{ surrogate_key(['_dms_file', '_dms_row']) }} as change_id,
        transaction_id,
        account_id,
        {{ cast_timestamp('transaction_ts') }} as transaction_ts,
        amount,
        direction,
        currency,
        transaction_type,
        status,
        balance_after,
        counterparty_account,
        description,
        {{ cast_timestamp('created_at') }} as created_at,
        {{ cast_timestamp('updated_at') }} as updated_at,
        {{ change_metadata() }}
    from source

)

select * from renamed
