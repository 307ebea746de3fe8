{{ config(materialized='view') }}

with validated as (

    select * from {{ ref('slv_transaction_events__latest') }}

),

current_events as (

    select
        event_id,
        transaction_id,
        event_type,
        channel,
        occurred_at,
        device_os,
        device_app_version,
        device_ip,
        geo_country,
        geo_city,
        risk_score,
        change_id as last_change_id,
        change_committed_at as last_changed_at
    from validated
    where not is_deleted and reject_reasons is null

)

select * from current_events
