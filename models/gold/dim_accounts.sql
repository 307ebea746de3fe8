with accounts as (

    select * from {{ ref('slv_accounts') }}

),

customers as (

    select customer_key, customer_id from {{ ref('dim_customers') }}
    where not is_unknown_member

),

known_accounts as (

    select
        {{ surrogate_key(['accounts.account_id']) }} as account_key,
        accounts.account_id,
        coalesce(customers.customer_key, {{ unknown_member_key() }}) as customer_key,
        accounts.customer_id,
        accounts.account_type,
        accounts.currency,
        accounts.status,
        accounts.opened_at,
        cast(accounts.opened_at as date) as opened_date,
        cast(accounts.closed_at as date) as closed_date,
        accounts.status = 'closed' as is_closed,
        customers.customer_key is not null as has_known_customer,
        false as is_unknown_member
    from accounts
    left join customers on accounts.customer_id = customers.customer_id

),

unknown_member as (

    select
        {{ unknown_member_key() }} as account_key,
        cast({{ unknown_member_id() }} as bigint) as account_id,
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
