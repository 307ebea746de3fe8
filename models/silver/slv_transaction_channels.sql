{#- The channel a transaction came through: the channel of its earliest event that names a
    known channel (ties broken by event id; an event without a channel, or with one the
    contract does not know, 'unknown', names none). Transactions without such an event are absent
    here and get 'unknown' in the fact table. Incremental: a run recomputes the transactions
    whose events changed since the last run (their old rows are deleted first). -#}
{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_changed_keys('transaction_id', ref('slv_transaction_events__latest')) }}",
    )
}}

with events as (

    select * from {{ ref('slv_transaction_events__latest') }}
    where not is_deleted
        and reject_reasons is null
        and transaction_id is not null
        and channel != 'unknown'
    -- noqa: disable=LT02
    {%- if is_incremental() %}
        and transaction_id in (
            select transaction_id from {{ ref('slv_transaction_events__latest') }}
            where 1 = 1 {{ landed_since_last_run('landed_at') }}
        )
    {%- endif %}
    -- noqa: enable=LT02

),

ranked as (

    select
        transaction_id,
        channel,
        event_id as channel_event_id,
        occurred_at as channel_event_at,
        row_number() over (
            partition by transaction_id
            order by occurred_at asc nulls last, event_id asc
        ) as event_rank,
        max(landed_at) over (partition by transaction_id) as last_landed_at
    from events

)

select
    transaction_id,
    channel,
    channel_event_id,
    channel_event_at,
    last_landed_at
from ranked
where event_rank = 1
