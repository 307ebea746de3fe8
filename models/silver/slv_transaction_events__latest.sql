{#- Each event's latest change (deletes included). Incremental: a run reads only the
    changes landed since the last run (see the incremental_latest_change macro). -#}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        on_schema_change='append_new_columns',
    )
}}

{{ incremental_latest_change(ref('slv_transaction_events__changes'), 'event_id') }}
