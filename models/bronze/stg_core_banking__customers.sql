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
        created_at,
        updated_at,
        {{ change_metadata() }}
    from source

)

select * from renamed
