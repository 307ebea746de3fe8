{#- Each customer key's latest change (deletes included); slv_customers and slv_customers__rejects split
    it. Incremental: a run reads only the changes landed since the last run (see the
    incremental_latest_change macro). -#}
{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        on_schema_change='append_new_columns',
    )
}}

{{ incremental_latest_change(ref('slv_customers__changes'), 'customer_id') }}
