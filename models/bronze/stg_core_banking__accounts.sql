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
        {{ cast_timestamp('opened_at') }} as opened_at,
        {{ cast_timestamp('closed_at') }} as closed_at,
        {{ cast_timestamp('created_at') }} as created_at,
        {{ cast_timestamp('updated_at') }} as updated_at,
        {{ change_metadata() }}
    from source

)

select * from renamed
