with source as (

    select * from {{ source('core_banking', 'transactions') }}

),

renamed as (

    select
        {{ surrogate_key(['_dms_file', '_dms_row']) }} as change_id,
        transaction_id,
        account_id,
        transaction_ts,
        amount,
        direction,
        currency,
        transaction_type,
        status,
        balance_after,
        counterparty_account,
        description,
        created_at,
        updated_at,
        {{ change_metadata() }}
    from source

)

select * from renamed
