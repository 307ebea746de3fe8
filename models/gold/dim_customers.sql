with customers as (

    select * from {{ ref('slv_customers') }}

),

countries as (

    select country_code, country_name from {{ ref('iso_countries') }}

),

known_customers as (

    select
        {{ surrogate_key(['customers.customer_id']) }} as customer_key,
        customers.customer_id,
        customers.full_name,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.phone,
        customers.date_of_birth,
        customers.gender,
        customers.address_line,
        customers.city,
        customers.country_code,
        countries.country_name,
        customers.segment,
        customers.created_at,
        customers.updated_at,
        false as is_unknown_member
    from customers
    left join countries on customers.country_code = countries.country_code

),

unknown_member as (

    select
        {{ unknown_member_key() }} as customer_key,
        cast({{ unknown_member_id() }} as bigint) as customer_id,
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
