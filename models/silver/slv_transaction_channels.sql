{#- The channel a transaction came through: the channel of its earliest event that names a
    known channel (ties broken by event id). Transactions without such an event are absent
    here and get 'unknown' in the fact table. -#}
with events as (

    select * from {{ ref('slv_transaction_events') }}
    where channel != 'unknown'

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
        ) as event_rank
    from events

)

select
    transaction_id,
    channel,
    channel_event_id,
    channel_event_at
from ranked
where event_rank = 1
