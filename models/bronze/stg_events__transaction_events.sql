{#- The document is parsed here; missing fields give nulls, invalid JSON gives nulls and
    is_valid_json = false, a transaction_id written as a string is read like a number.
    A view: the documents are parsed once per run, by the model that reads the new rows
    (slv_transaction_events__latest), not stored twice. -#}
with source as (

    select * from {{ source('events', 'transaction_events') }}

),

extracted as (

    {{ json_fields_select('source', '_doc', [
        ['transaction_id_text', ['transaction_id']],
        ['event_type', ['event_type']],
        ['channel', ['channel']],
        ['occurred_at_text', ['occurred_at', '$date']],
        ['device_os', ['device', 'os']],
        ['device_app_version', ['device', 'app_version']],
        ['device_ip', ['device', 'ip']],
        ['geo_country', ['geo', 'country']],
        ['geo_city', ['geo', 'city']],
        ['risk_score_text', ['risk', 'score']],
    ]) }}

),

parsed as (

    select
        {{ surrogate_key(['_dms_file', '_dms_row']) }} as change_id,
        _id as event_id,
        {{ json_is_valid('_doc') }} as is_valid_json,
        transaction_id_text,
        event_type,
        channel,
        occurred_at_text,
        device_os,
        device_app_version,
        device_ip,
        geo_country,
        geo_city,
        risk_score_text,
        _doc as document,
        {{ change_metadata() }}
    from extracted

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
