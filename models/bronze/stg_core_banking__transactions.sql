{#- A view over the raw zone, like every bronze model: the silver models that keep state read
    it once per run, with the watermark filter on landed_at pushed down to the Parquet scan,
    so an incremental run reads only the newly landed files. -#}
with source as (

    select * from {{ source('core_banking', 'transactions') }}

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
