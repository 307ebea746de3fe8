{#- Type 2: one row per valid version of each customer (slv_customers__history without its
    rejected versions), plus the unknown member. -#}
with versions as (

    select * from {{ ref('slv_customers__history') }}
    where reject_reasons is null

),

countries as (

    select country_code, country_name from {{ ref('iso_countries') }}

),

known_customers as (

    select
        versions.customer_version_key as customer_key,
        versions.customer_id,
        versions.version_number,
        versions.valid_from,
        versions.valid_to,
        versions.is_current,
        versions.full_name,
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
        false as is_unknown_member
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
        true as is_unknown_member

)

select * from known_customers
union all
select * from unknown_member
