with source as (

    select * from {{ source('landing', 'quarantine') }}

),

renamed as (

    select
        {{ surrogate_key(['dms_file', 'dms_row', 'reason']) }} as quarantine_id,
        schema_name as source_schema,
        table_name as source_table,
        dms_file as source_file,
        dms_row as source_row,
        reason,
        raw_record,
        landing_run_id,
        {{ cast_timestamp('landed_at') }} as landed_at
    from source

)

select * from renamed
