{#- Type 2: one row per valid version of each account (slv_accounts__history without its
    rejected versions), plus the unknown member. customer_key is the owner's version valid
    when the account version began; the unknown customer (key and customer_id -1) when the
    owner has none then; source_customer_id keeps the owner's id as the source has it.
    quality_issues carries silver's flags (an unknown currency, type or status is kept).
    last_landed_at is the latest landing time of the account's and its owners' history.
    Incremental: a run replaces the versions of the accounts whose history, or whose owners'
    history, was landed since the last run, or that were deleted or lost their owner since
    then (accounts_with_landed_history; the pre-hook deletes their rows first). -#}
{{
    config(
        materialized='incremental',
        unique_key='account_key',
        on_schema_change='fail',
        pre_hook="{{ delete_keys_in('account_id', accounts_with_landed_history(ref('slv_accounts__history'), ref('slv_customers__history'), ref('slv_accounts__latest'), ref('slv_customers__latest'))) }}",
    )
}}

-- deleted accounts and owners:
-- depends_on: {{ ref('slv_accounts__latest') }} {{ ref('slv_customers__latest') }}

with account_history as (

    select * from {{ ref('slv_accounts__history') }}

),

customer_history as (

    select customer_id, last_landed_at from {{ ref('slv_customers__history') }}

),

{% if is_incremental() -%}
changed_accounts as (

    {{ accounts_with_landed_history(
        'account_history', 'customer_history',
        ref('slv_accounts__latest'), ref('slv_customers__latest')
    ) }}

),

{% endif -%}
versions as (

    select * from account_history
    where reject_reasons is null
        {%- if is_incremental() %}
        and account_id in (select account_id from changed_accounts)
        {%- endif %}

),

customers as (

    select customer_key, customer_id, valid_from, valid_to
    from {{ ref('dim_customers') }}
    where not is_unknown_member

),

customer_landings as (

    select customer_id, max(last_landed_at) as last_landed_at
    from customer_history
    group by customer_id

),

known_accounts as (

    select
        versions.version_key as account_key,
        versions.account_id,
        versions.version_number,
        versions.valid_from,
        versions.valid_to,
        versions.is_current,
        coalesce(customers.customer_key, {{ unknown_member_key() }}) as customer_key,
        coalesce(customers.customer_id, cast({{ unknown_member_id() }} as bigint)) as customer_id,
        versions.customer_id as source_customer_id,
        versions.account_type,
        versions.currency,
        versions.status,
        versions.opened_at,
        cast(versions.opened_at as date) as opened_date,
        cast(versions.closed_at as date) as closed_date,
        versions.status = 'closed' as is_closed,
        customers.customer_key is not null as has_known_customer,
        versions.quality_issues,
        false as is_unknown_member,
        greatest(
            versions.last_landed_at,
            coalesce(customer_landings.last_landed_at, {{ timestamp_floor() }})
        ) as last_landed_at
    from versions
    left join customers
        on versions.customer_id = customers.customer_id
        and versions.valid_from >= customers.valid_from
        and versions.valid_from < customers.valid_to
    left join customer_landings on versions.customer_id = customer_landings.customer_id

),

unknown_member as (

    select
        {{ unknown_member_key() }} as account_key,
        cast({{ unknown_member_id() }} as bigint) as account_id,
        cast(1 as bigint) as version_number,
        {{ timestamp_floor() }} as valid_from,
        {{ timestamp_ceiling() }} as valid_to,
        true as is_current,
        {{ unknown_member_key() }} as customer_key,
        cast({{ unknown_member_id() }} as bigint) as customer_id,
        cast(null as bigint) as source_customer_id,
        'unknown' as account_type,
        'XXX' as currency,
        'unknown' as status,
        cast(null as {{ dbt.type_timestamp() }}) as opened_at,
        cast(null as date) as opened_date,
        cast(null as date) as closed_date,
        false as is_closed,
        false as has_known_customer,
        cast(null as {{ dbt.type_string() }}) as quality_issues,
        true as is_unknown_member,
        {{ timestamp_floor() }} as last_landed_at

)

select * from known_accounts
-- every run, incremental or not: one row, replaced by itself
union all
select * from unknown_member
