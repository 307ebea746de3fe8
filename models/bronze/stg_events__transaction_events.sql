{#- The document is parsed here; missing fields give nulls, invalid JSON gives nulls and
    is_valid_json = false, a transaction_id written as a string is read like a number.
    Incremental: a run reads only the raw rows landed since the last run. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='change_id',
        on_schema_change='append_new_columns',
    )
}}

with source as (

    select * from {{ source('events', 'transaction_events') }}
    where 1 = 1 {{ landed_since_last_run('_landed_at', 'landed_at') }}

),

parsed as (

    select
        {{ surrogate_key(['_dms_file', '_dms_row']) }} as change_id,
        _id as event_id,
        {{ json_is_valid('_doc') }} as is_valid_json,
        {{ json_extract_text('_doc', ['transaction_id']) }} as transaction_id_text,
        {{ json_extract_text('_doc', ['event_type']) }} as event_type,
        {{ json_extract_text('_doc', ['channel']) }} as channel,
        {{ json_extract_text('_doc', ['occurred_at', '$date']) }} as occurred_at_text,
        {{ json_extract_text('_doc', ['device', 'os']) }} as device_os,
        {{ json_extract_text('_doc', ['device', 'app_version']) }} as device_app_version,
        {{ json_extract_text('_doc', ['device', 'ip']) }} as device_ip,
        {{ json_extract_text('_doc', ['geo', 'country']) }} as geo_country,
        {{ json_extract_text('_doc', ['geo', 'city']) }} as geo_city,
        {{ json_extract_text('_doc', ['risk', 'score']) }} as risk_score_text,
        _doc as document,
        {{ change_metadata() }}
    from source

),

typed as (

    select
        change_id,
        event_id,
        is_valid_json,
        {{ try_cast_number('transaction_id_text', 'bigint') }} as transaction_id,
        transaction_id_text,
        event_type,
        channel,
        {{ parse_iso8601_timestamp('occurred_at_text') }} as occurred_at,
        device_os,
        device_app_version,
        device_ip,
        geo_country,
        geo_city,
        {{ try_cast_number('risk_score_text', 'double precision') }} as risk_score,
        document,
        change_op,
        change_committed_at,
        change_seq,
        source_file,
        source_file_order,
        source_row,
        landing_run_id,
        landed_at
    from parsed

)

select * from typed
