{{ config(materialized='view') }}

{#- Every customer change record, standardised and validated (the rules are in the silver
    overview). The latest per key, the history and the rejects all read from here. -#}
with changes as (

    select * from {{ ref('stg_core_banking__customers') }}

),

countries as (

    select country_code from {{ ref('iso_countries') }}

),

standardised as (

    select
        customer_id,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        nullif(lower(trim(email)), '') as email,
        nullif(trim(phone), '') as phone,
        date_of_birth,
        case when upper(trim(gender)) in ('F', 'M') then upper(trim(gender)) end as gender,
        nullif(trim(address_line), '') as address_line,
        nullif(trim(city), '') as city,
        nullif(upper(trim(country_code)), '') as country_code,
        lower(trim(segment)) as segment,
        created_at,
        updated_at,
        {{ change_log_columns() }}
    from changes

),

named as (

    select
        *,
        case
            when first_name is null then last_name
            when last_name is null then first_name
            else first_name || ' ' || last_name
        end as full_name
    from standardised

),

validated as (

    select
        named.*,
        case when not named.is_deleted then {{ reject_reasons([
            ["named.full_name is null", "missing_name"],
            ["named.email is not null and not " ~ regexp_like(
                "named.email", "'^[a-z0-9._%+-]+@[a-z0-9-]+([.][a-z0-9-]+)*[.][a-z]{2,}$'"
            ), "invalid_email"],
            ["named.country_code is not null and countries.country_code is null", "unknown_country"],
            ["named.segment is null or named.segment not in ('"
                ~ var('customer_segments') | join("', '") ~ "')", "unknown_segment"],
        ]) }} end as reject_reasons
    from named
    left join countries on named.country_code = countries.country_code

)

select * from validated
