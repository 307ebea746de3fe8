{#- Every version of every customer (type 2 history), derived from the full change log, not
    from snapshots: a version per change, valid from its commit time until the next change
    of the key (see the change_log_versions macro). Incremental: a run recomputes the history
    of the keys with changes landed since the last run (their old rows are deleted first by
    the pre-hook, so versions cancelled by a late change disappear). -#}
{{
    config(
        materialized='incremental',
        unique_key='customer_version_key',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_changed_keys('customer_id', ref('slv_customers__changes')) }}",
    )
}}

with changes as (

    {{ changes_of_changed_keys(ref('slv_customers__changes'), 'customer_id') }}

),

versions as (

    {{ change_log_versions('changes', 'customer_id') }}

)

select
    {{ surrogate_key(['customer_id', 'valid_from']) }} as customer_version_key,
    customer_id,
    version_number,
    valid_from,
    valid_to,
    is_current,
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
    reject_reasons,
    change_id,
    change_committed_at,
    last_landed_at
from versions
