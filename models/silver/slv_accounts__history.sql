{#- Every version of every account (type 2 history), derived from the full change log; same
    rules and incremental behaviour as slv_customers__history. -#}
{{
    config(
        materialized='incremental',
        unique_key='account_version_key',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_changed_keys('account_id', ref('slv_accounts__changes')) }}",
    )
}}

with changes as (

    {{ changes_of_changed_keys(ref('slv_accounts__changes'), 'account_id') }}

),

versions as (

    {{ change_log_versions('changes', 'account_id') }}

)

select
    {{ surrogate_key(['account_id', 'valid_from']) }} as account_version_key,
    account_id,
    version_number,
    valid_from,
    valid_to,
    is_current,
    customer_id,
    account_number,
    account_type,
    currency,
    status,
    opened_at,
    closed_at,
    created_at,
    updated_at,
    reject_reasons,
    change_id,
    change_committed_at,
    last_landed_at
from versions
