{#- Each account key's latest change (deletes included); slv_accounts and slv_accounts__rejects split
    it. Incremental: a run reads only the changes landed since the last run (see the
    incremental_latest_change macro). -#}
{{
    config(
        materialized='incremental',
        unique_key='account_id',
        on_schema_change='append_new_columns',
    )
}}

{{ incremental_latest_change(ref('slv_accounts__changes'), 'account_id') }}
