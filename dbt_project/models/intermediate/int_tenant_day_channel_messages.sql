{#-
  Message and OTP event windows [D-6, D] per tenant x as-of day x channel. Every tenant-day
  has a row for each catalogue channel (email, sms, whatsapp; zeros included); an event
  with another or no channel lands in a row for channel 'other' (only when present).
-#}

with days as (

    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', is_incremental()) }}

),

tenant_days as (

    select tenant_days.tenant_id, tenant_days.as_of_date
    from {{ ref('int_tenant_days') }} as tenant_days
    inner join days on days.as_of_date = tenant_days.as_of_date

),

bounds as (

    select min(window_7d_start_at) as first_at, max(as_of_at) as last_at from days

),

daily as (

    select
        events.tenant_id,
        case
            when events.channel in ('email', 'sms', 'whatsapp') then events.channel
            else 'other'
        end as channel,
        {{ boardroom_utc_date('events.event_at') }} as event_date,
        count(*) filter (where events.event_name = 'message_sent') as messages_sent,
        count(*) filter (where events.event_name = 'message_delivered') as messages_delivered,
        count(*) filter (where events.event_name = 'message_bounced') as messages_bounced,
        count(*) filter (where events.event_name = 'message_complaint') as messages_complained,
        count(*) filter (where events.event_name = 'otp_sent') as otp_sent,
        count(*) filter (where events.event_name = 'otp_verified') as otp_verified
    from {{ ref('stg_posthog__events') }} as events
    cross join bounds
    where {{ boardroom_event_window_filter('events.event_at', 'window_7d_start_at', is_incremental()) }}
        and events.event_name in (
            'message_sent', 'message_delivered', 'message_bounced', 'message_complaint',
            'otp_sent', 'otp_verified'
        )
    group by 1, 2, 3

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

    select tenant_days.tenant_id, tenant_days.as_of_date, catalogue.channel
    from tenant_days
    cross join (values ('email'), ('sms'), ('whatsapp')) as catalogue (channel)
    union
    select tenant_id, as_of_date, channel
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
    {{ boardroom_ratio('messages_delivered_7d', 'messages_sent_7d') }} as delivery_rate_7d,
    {{ boardroom_ratio('messages_bounced_7d', 'messages_sent_7d') }} as bounce_rate_7d,
    {{ boardroom_ratio('messages_complained_7d', 'messages_sent_7d') }} as complaint_rate_7d,
    otp_sent_7d,
    otp_verified_7d,
    {{ boardroom_ratio('otp_verified_7d', 'otp_sent_7d') }} as otp_verification_rate_7d,
    {{ boardroom_built_at() }} as _built_at
from counts
