{{ config(materialized='view') }}

with validated as (

    select * from {{ ref('slv_customers__latest') }}

),

rejected as (

    select
        customer_id,
        {{ dbt.split_part('reject_reasons', "','", 1) }} as reject_reason,
        reject_reasons,
        full_name,
        email,
        country_code,
        segment,
        change_id as last_change_id,
        change_committed_at as last_changed_at,
        source_file,
        source_row
    from validated
    where not is_deleted and reject_reasons is not null

)

select * from rejected
