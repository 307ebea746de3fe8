with source as (

    select * from {{ source('core_banking', 'accounts') }}

),

renamed as (

    select
        {{ surrogate_key(['_dms_file', '_dms_row']) }} as change_id,
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
        {{ change_metadata() }}
    from source

)

select * from renamed
