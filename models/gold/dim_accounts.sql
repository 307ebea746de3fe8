{#- Type 2: one row per valid version of each account (slv_accounts__history without its
    rejected versions), plus the unknown member. customer_key is the owner's version valid
    when the account version began; the unknown customer when the owner has none then. -#}
with versions as (

    select * from {{ ref('slv_accounts__history') }}
    where reject_reasons is null

),

customers as (

    select customer_key, customer_id, valid_from, valid_to
    from {{ ref('dim_customers') }}
    where not is_unknown_member

),

known_accounts as (

    select
        versions.account_version_key as account_key,
        versions.account_id,
        versions.version_number,
        versions.valid_from,
        versions.valid_to,
        versions.is_current,
        coalesce(customers.customer_key, {{ unknown_member_key() }}) as customer_key,
        versions.customer_id,
        versions.account_type,
        versions.currency,
        versions.status,
        versions.opened_at,
        cast(versions.opened_at as date) as opened_date,
        cast(versions.closed_at as date) as closed_date,
        versions.status = 'closed' as is_closed,
        customers.customer_key is not null as has_known_customer,
        false as is_unknown_member
    from versions
    left join customers
        on versions.customer_id = customers.customer_id
        and versions.valid_from >= customers.valid_from
        and versions.valid_from < customers.valid_to

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
        'unknown' as account_type,
        'XXX' as currency,
        'unknown' as status,
        cast(null as {{ dbt.type_timestamp() }}) as opened_at,
        cast(null as date) as opened_date,
        cast(null as date) as closed_date,
        false as is_closed,
        false as has_known_customer,
        true as is_unknown_member

)

select * from known_accounts
union all
select * from unknown_member
