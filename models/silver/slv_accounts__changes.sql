{{ config(materialized='view') }}

{#- Every account change record, standardised and validated (rules in the silver overview). -#}
with changes as (

    select * from {{ ref('stg_core_banking__accounts') }}

),

currencies as (

    select currency_code from {{ ref('iso_currencies') }}

),

standardised as (

    select
        account_id,
        customer_id,
        trim(account_number) as account_number,
        lower(trim(account_type)) as account_type,
        upper(trim(currency)) as currency,
        lower(trim(status)) as status,
        opened_at,
        closed_at,
        created_at,
        updated_at,
        {{ change_log_columns() }}
    from changes

),

validated as (

    select
        standardised.*,
        case when not standardised.is_deleted then {{ reject_reasons([
            ["currencies.currency_code is null", "unknown_currency"],
            ["standardised.account_type is null or standardised.account_type not in ('"
                ~ var('account_types') | join("', '") ~ "')", "unknown_account_type"],
            ["standardised.status is null or standardised.status not in ('"
                ~ var('account_statuses') | join("', '") ~ "')", "unknown_status"],
            ["standardised.customer_id is null", "missing_customer_id"],
        ]) }} end as reject_reasons
    from standardised
    left join currencies on standardised.currency = currencies.currency_code

)

select * from validated
