{{ config(materialized='view') }}

with validated as (

    select * from {{ ref('slv_customers__latest') }}

),

current_customers as (

    select
        customer_id,
        full_name,
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
        change_id as last_change_id,
        change_committed_at as last_changed_at
    from validated
    where not is_deleted and reject_reasons is null

)

select * from current_customers
