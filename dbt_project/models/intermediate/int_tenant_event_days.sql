{{
    config(
        incremental_strategy='replace_event_days',
        indexes=[{'columns': ['event_date', 'tenant_id']}]
    )
}}

{#-
  Rollup of the PostHog events per tenant x event day (UTC date of the event's timestamp)
  x channel: event counts, payment amounts, API requests and errors. `channel` is the
  message channel (email, sms, whatsapp; any other or none is 'other'); events without a
  channel (payments, API requests) land in 'other'. Rebuilt only for the event days of this
  invocation (int_event_days); the 7- and 30-day windows sum these rows.
-#}
-- depends_on: {{ ref('int_event_days') }}
-- depends_on: {{ ref('int_as_of_days') }}

select
    events.tenant_id,
    {{ boardroom_utc_date('events.event_at') }} as event_date,
    case
        when events.channel in ('email', 'sms', 'whatsapp') then events.channel
        else 'other'
    end as channel,
    cast(count(*) filter (where events.event_name = 'message_sent') as bigint) as messages_sent,
    cast(count(*) filter (
        where events.event_name = 'message_delivered'
    ) as bigint) as messages_delivered,
    cast(count(*) filter (
        where events.event_name = 'message_bounced'
    ) as bigint) as messages_bounced,
    cast(count(*) filter (
        where events.event_name = 'message_complaint'
    ) as bigint) as messages_complained,
    cast(count(*) filter (where events.event_name = 'otp_sent') as bigint) as otp_sent,
    cast(count(*) filter (where events.event_name = 'otp_verified') as bigint) as otp_verified,
    cast(coalesce(sum(events.amount) filter (
        where events.event_name = 'payment_succeeded'
    ), 0) as numeric) as payments_collected,
    cast(count(*) filter (where events.event_name = 'api_request') as bigint) as api_requests,
    cast(count(*) filter (
        where events.event_name = 'api_request' and events.status_code >= 500
    ) as bigint) as api_errors,
    {{ boardroom_built_at() }} as _built_at
from {{ ref('stg_posthog__events') }} as events
where {{ boardroom_event_days_filter('events.event_at', is_incremental()) }}
    and events.event_name in (
        'message_sent', 'message_delivered', 'message_bounced', 'message_complaint',
        'otp_sent', 'otp_verified', 'payment_succeeded', 'api_request'
    )
group by 1, 2, 3
