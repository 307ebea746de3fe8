{{ config(materialized='view') }}

{#- Every transaction change record, standardised, categorised and validated. Transaction
    types the mapping seed does not know are kept (new types appear without notice) and
    categorised 'uncategorised'. -#}
with changes as (

    select * from {{ ref('stg_core_banking__transactions') }}

),

currencies as (

    select currency_code from {{ ref('iso_currencies') }}

),

transaction_types as (

    select transaction_type, transaction_category from {{ ref('transaction_types') }}

),

standardised as (

    select
        transaction_id,
        account_id,
        transaction_ts,
        amount,
        upper(trim(direction)) as direction,
        upper(trim(currency)) as currency,
        lower(trim(transaction_type)) as transaction_type,
        lower(trim(status)) as status,
        balance_after,
        nullif(trim(counterparty_account), '') as counterparty_account,
        description,
        created_at,
        updated_at,
        {{ change_log_columns() }}
    from changes

),

validated as (

    select
        standardised.*,
        coalesce(transaction_types.transaction_category, 'uncategorised') as transaction_category,
        case when not standardised.is_deleted then {{ reject_reasons([
            ["currencies.currency_code is null", "unknown_currency"],
            ["standardised.direction is null or standardised.direction not in ('C', 'D')",
                "invalid_direction"],
            ["standardised.amount is null or standardised.amount <= 0", "non_positive_amount"],
            ["standardised.status is null or standardised.status not in ('"
                ~ var('transaction_statuses') | join("', '") ~ "')", "unknown_status"],
            ["standardised.transaction_ts is null", "missing_transaction_ts"],
            ["standardised.account_id is null", "missing_account_id"],
        ]) }} end as reject_reasons
    from standardised
    left join currencies on standardised.currency = currencies.currency_code
    left join transaction_types
        on standardised.transaction_type = transaction_types.transaction_type

)

select * from validated
