{#- Incremental, never rebuilt (full_refresh=false): first_seen_invocation_id says which dbt
    invocation first saw a record, so the no_new_quarantine test warns on each record once,
    in the first build that reads it, whenever its landing run committed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

with quarantine as (

    select * from {{ ref('stg_landing__quarantine') }}

),

new_records as (

    select * from quarantine
    where quarantine_id is not null
        {%- if is_incremental() %}
        and quarantine_id not in (select seen.quarantine_id from {{ this }} as seen)
        {%- endif %}

),

final as (

    select
        quarantine_id,
        landing_run_id,
        landed_at,
        source_schema,
        source_table,
        source_file,
        source_row,
        source_row is null as is_whole_file,
        {{ quarantine_reason_kind('reason') }} as reason_kind,
        reason,
        '{{ invocation_id }}' as first_seen_invocation_id,
        {{ timestamp_literal(run_started_at) }} as first_seen_at
    from new_records

)

select * from final
