{{ config(materialized='view') }}

{#- Every event change record, standardised and validated. Missing optional fields are
    tolerated; a document that does not parse, or has no usable transaction_id, is rejected. -#}
with changes as (

    select * from {{ ref('stg_events__transaction_events') }}

),

standardised as (

    select
        event_id,
        transaction_id,
        transaction_id_text,
        lower(trim(event_type)) as event_type,
        case
            when lower(trim(channel)) in ('{{ var("event_channels") | join("', '") }}')  -- noqa: LT05
                then lower(trim(channel))
            else 'unknown'
        end as channel,
        occurred_at,
        device_os,
        device_app_version,
        device_ip,
        upper(trim(geo_country)) as geo_country,
        geo_city,
        risk_score,
        is_valid_json,
        {{ change_log_columns() }}
    from changes

),

validated as (

    select
        *,
        case when not is_deleted then {{ reject_reasons([
            ["not is_valid_json", "invalid_json"],
            ["is_valid_json and transaction_id is null", "missing_transaction_id"],
        ]) }} end as reject_reasons
    from standardised

)

select * from validated
