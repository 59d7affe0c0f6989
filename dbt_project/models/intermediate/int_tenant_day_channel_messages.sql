{#-
  Message and OTP event windows [D-6, D] per tenant x as-of day x channel. Every tenant-day
  has a row for each catalogue channel (email, sms, whatsapp; zeros included); an event
  with another or no channel lands in a row for channel 'other' (only when present).
  Read from the per-event-day rollup int_tenant_event_days, not from raw events.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date']
    ) }}

),

daily as (

    -- rows of the per-event-day rollup that hold a message or OTP event (a channel
    -- 'other' row of payments or API requests alone does not make an 'other' channel)
    select
        tenant_id,
        channel,
        event_date,
        messages_sent,
        messages_delivered,
        messages_bounced,
        messages_complained,
        otp_sent,
        otp_verified
    from {{ ref('int_tenant_event_days') }}
    where
        {{ boardroom_rollup_window_filter(
            'event_date', 'd.window_7d_start_date', is_incremental()
        ) }}
        and (
            messages_sent + messages_delivered + messages_bounced + messages_complained
            + otp_sent + otp_verified
        ) > 0

),

windowed as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        daily.channel,
        sum(daily.messages_sent) as messages_sent_7d,
        sum(daily.messages_delivered) as messages_delivered_7d,
        sum(daily.messages_bounced) as messages_bounced_7d,
        sum(daily.messages_complained) as messages_complained_7d,
        sum(daily.otp_sent) as otp_sent_7d,
        sum(daily.otp_verified) as otp_verified_7d
    from tenant_days
    inner join daily
        on daily.tenant_id = tenant_days.tenant_id
        and daily.event_date between tenant_days.as_of_date - 6 and tenant_days.as_of_date
    group by 1, 2, 3

),

channels as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        catalogue.channel
    from tenant_days
    cross join (values ('email'), ('sms'), ('whatsapp')) as catalogue (channel)
    union
    select
        tenant_id,
        as_of_date,
        channel
    from windowed

),

counts as (

    select
        channels.tenant_id,
        channels.as_of_date,
        channels.channel,
        cast(coalesce(windowed.messages_sent_7d, 0) as bigint) as messages_sent_7d,
        cast(coalesce(windowed.messages_delivered_7d, 0) as bigint) as messages_delivered_7d,
        cast(coalesce(windowed.messages_bounced_7d, 0) as bigint) as messages_bounced_7d,
        cast(coalesce(windowed.messages_complained_7d, 0) as bigint) as messages_complained_7d,
        cast(coalesce(windowed.otp_sent_7d, 0) as bigint) as otp_sent_7d,
        cast(coalesce(windowed.otp_verified_7d, 0) as bigint) as otp_verified_7d
    from channels
    left join windowed
        on windowed.tenant_id = channels.tenant_id
        and windowed.as_of_date = channels.as_of_date
        and windowed.channel = channels.channel

)

select
    tenant_id,
    as_of_date,
    channel,
    messages_sent_7d,
    messages_delivered_7d,
    messages_bounced_7d,
    messages_complained_7d,
    {{ boardroom_message_rates_7d() }},
    otp_sent_7d,
    otp_verified_7d,
    {{ boardroom_ratio('otp_verified_7d', 'otp_sent_7d') }} as otp_verification_rate_7d,
    {{ boardroom_built_at() }} as _built_at
from counts
