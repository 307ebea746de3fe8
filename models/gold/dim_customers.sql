{#- Type 2: one row per valid version of each customer (slv_customers__history without its
    rejected versions), plus the unknown member. full_name is derived here (a business rule
    outside the contract's vocabulary); quality_issues carries silver's flags (a customer
    with a blank name or an invalid email is here, flagged). Incremental: a run replaces the versions of
    the customers whose history was landed, or who were deleted, since the last run
    (keys_with_landed_history; the pre-hook deletes their rows first, so a version a late
    change cancelled or rejected, or a customer deleted where the source writes no commit
    times, disappears). -#}
{{
    config(
        materialized='incremental',
        unique_key='customer_key',
        on_schema_change='fail',
        pre_hook="{{ delete_keys_in('customer_id', keys_with_landed_history('customer_id', ref('slv_customers__history'), ref('slv_customers__latest'))) }}",
    )
}}

-- depends_on: {{ ref('slv_customers__latest') }} (deleted customers, in the pre-hook)

with versions as (

    select * from {{ ref('slv_customers__history') }}
    where reject_reasons is null
        {%- if is_incremental() %}
        and last_landed_at > {{ landed_watermark() }}
        {%- endif %}

),

countries as (

    select country_code, country_name from {{ ref('iso_countries') }}

),

known_customers as (

    select
        versions.version_key as customer_key,
        versions.customer_id,
        versions.version_number,
        versions.valid_from,
        versions.valid_to,
        versions.is_current,
        case
            when versions.first_name is null then versions.last_name
            when versions.last_name is null then versions.first_name
            else versions.first_name || ' ' || versions.last_name
        end as full_name,
        versions.first_name,
        versions.last_name,
        versions.email,
        versions.phone,
        versions.date_of_birth,
        versions.gender,
        versions.address_line,
        versions.city,
        versions.country_code,
        countries.country_name,
        versions.segment,
        versions.created_at,
        versions.updated_at,
        versions.quality_issues,
        false as is_unknown_member,
        versions.last_landed_at
    from versions
    left join countries on versions.country_code = countries.country_code

),

unknown_member as (

    select
        {{ unknown_member_key() }} as customer_key,
        cast({{ unknown_member_id() }} as bigint) as customer_id,
        cast(1 as bigint) as version_number,
        {{ timestamp_floor() }} as valid_from,
        {{ timestamp_ceiling() }} as valid_to,
        true as is_current,
        'Unknown customer' as full_name,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as phone,
        cast(null as date) as date_of_birth,
        cast(null as {{ dbt.type_string() }}) as gender,
        cast(null as {{ dbt.type_string() }}) as address_line,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as country_name,
        'unknown' as segment,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(null as {{ dbt.type_string() }}) as quality_issues,
        true as is_unknown_member,
        {{ timestamp_floor() }} as last_landed_at

)

select * from known_customers
-- every run, incremental or not: one row, replaced by itself
union all
select * from unknown_member
