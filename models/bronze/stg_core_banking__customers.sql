with source as (

    select * from {{ source('core_banking', 'customers') }}

),

renamed as (

    select
        {{ surrogate_key(['_dms_file', '_dms_row']) }} as change_id,
        customer_id,
        first_name,
        last_name,
        email,
        phone,
        date_of_birth,
        gender,
        address_line,
        city,
        country_code,
        segment,
        {{ cast_timestamp('created_at') }} as created_at,
        {{ cast_timestamp('updated_at') }} as updated_at,
        {{ change_metadata() }}
    from source

)

select * from renamed
