{#-
  Event windows per tenant x as-of day, from PostHog events by their timestamp: a window
  [D-k, D] holds D-k 00:00:00 UTC <= timestamp < T, i.e. UTC event dates D-k..D. Read from
  the per-event-day rollups (int_tenant_event_days, int_tenant_day_active_users,
  int_tenant_day_api_latencies), never from raw events: a run's cost follows its as-of
  days, not the history. Counts over nothing are 0, ratios with a zero denominator null.
  Revenue at risk comes from int_invoice_states.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date']
    ) }}

),

daily as (

    select
        tenant_id,
        event_date,
        sum(messages_sent) as messages_sent,
        sum(messages_delivered) as messages_delivered,
        sum(messages_bounced) as messages_bounced,
        sum(messages_complained) as messages_complained,
        sum(otp_sent) as otp_sent,
        sum(otp_verified) as otp_verified,
        sum(payments_collected) as payments_collected,
        sum(api_requests) as api_requests,
        sum(api_errors) as api_errors
    from {{ ref('int_tenant_event_days') }}
    where
        {{ boardroom_rollup_window_filter(
            'event_date', 'd.window_30d_start_date', is_incremental()
        ) }}
    group by tenant_id, event_date

),

event_days_in_window as (

    -- each tenant-day's event days in [D-29, D], those in [D-6, D] flagged
    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        daily.event_date >= tenant_days.as_of_date - 6 as is_in_7d,
        daily.messages_sent,
        daily.messages_delivered,
        daily.messages_bounced,
        daily.messages_complained,
        daily.otp_sent,
        daily.otp_verified,
        daily.payments_collected,
        daily.api_requests,
        daily.api_errors
    from tenant_days
    left join daily
        on daily.tenant_id = tenant_days.tenant_id
        and daily.event_date between tenant_days.as_of_date - 29 and tenant_days.as_of_date

),

windowed_counts as (

    select
        tenant_id,
        as_of_date,
        coalesce(sum(messages_sent) filter (where is_in_7d), 0) as messages_sent_7d,
        coalesce(sum(messages_delivered) filter (where is_in_7d), 0) as messages_delivered_7d,
        coalesce(sum(messages_bounced) filter (where is_in_7d), 0) as messages_bounced_7d,
        coalesce(sum(messages_complained) filter (where is_in_7d), 0) as messages_complained_7d,
        coalesce(sum(otp_sent) filter (where is_in_7d), 0) as otp_sent_7d,
        coalesce(sum(otp_verified) filter (where is_in_7d), 0) as otp_verified_7d,
        coalesce(sum(payments_collected), 0) as payments_collected_30d,
        coalesce(sum(api_requests) filter (where is_in_7d), 0) as api_requests_7d,
        coalesce(sum(api_errors) filter (where is_in_7d), 0) as api_errors_7d
    from event_days_in_window
    group by tenant_id, as_of_date

),

daily_users as (

    select
        tenant_id,
        event_date,
        distinct_id
    from {{ ref('int_tenant_day_active_users') }}
    where
        {{ boardroom_rollup_window_filter(
            'event_date', 'd.window_30d_start_date', is_incremental()
        ) }}

),

active_users as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        count(distinct daily_users.distinct_id) filter (
            where daily_users.event_date >= tenant_days.as_of_date - 6
        ) as active_users_7d,
        count(distinct daily_users.distinct_id) as active_users_30d
    from tenant_days
    inner join daily_users
        on daily_users.tenant_id = tenant_days.tenant_id
        and daily_users.event_date between tenant_days.as_of_date - 29 and tenant_days.as_of_date
    group by tenant_days.tenant_id, tenant_days.as_of_date

),

latencies as (

    select
        tenant_id,
        event_date,
        latency_ms,
        requests
    from {{ ref('int_tenant_day_api_latencies') }}
    where
        {{ boardroom_rollup_window_filter(
            'event_date', 'd.window_7d_start_date', is_incremental()
        ) }}

),

api_latency as (

    -- each latency repeated as many times as requests had it: the raw multiset again
    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        percentile_cont(0.95) within group (
            order by cast(latencies.latency_ms as double precision)
        ) as api_p95_latency_ms_7d
    from tenant_days
    inner join latencies
        on latencies.tenant_id = tenant_days.tenant_id
        and latencies.event_date between tenant_days.as_of_date - 6 and tenant_days.as_of_date
    cross join lateral generate_series(1, latencies.requests) as repeated (n)
    group by tenant_days.tenant_id, tenant_days.as_of_date

)

select
    windowed_counts.tenant_id,
    windowed_counts.as_of_date,
    cast(windowed_counts.messages_sent_7d as bigint) as messages_sent_7d,
    cast(windowed_counts.messages_delivered_7d as bigint) as messages_delivered_7d,
    cast(windowed_counts.messages_bounced_7d as bigint) as messages_bounced_7d,
    cast(windowed_counts.messages_complained_7d as bigint) as messages_complained_7d,
    {{ boardroom_message_rates_7d('windowed_counts') }},
    cast(windowed_counts.otp_sent_7d as bigint) as otp_sent_7d,
    cast(windowed_counts.otp_verified_7d as bigint) as otp_verified_7d,
    {{ boardroom_ratio('windowed_counts.otp_verified_7d', 'windowed_counts.otp_sent_7d') }}
        as otp_verification_rate_7d,
    cast(windowed_counts.payments_collected_30d as numeric) as payments_collected_30d,
    cast(windowed_counts.api_requests_7d as bigint) as api_requests_7d,
    cast(windowed_counts.api_errors_7d as bigint) as api_errors_7d,
    {{ boardroom_ratio('windowed_counts.api_errors_7d', 'windowed_counts.api_requests_7d') }}
        as api_error_rate_7d,
    api_latency.api_p95_latency_ms_7d,
    cast(coalesce(active_users.active_users_7d, 0) as bigint) as active_users_7d,
    cast(coalesce(active_users.active_users_30d, 0) as bigint) as active_users_30d,
    {{ boardroom_built_at() }} as _built_at
from windowed_counts
left join active_users
    on active_users.tenant_id = windowed_counts.tenant_id
    and active_users.as_of_date = windowed_counts.as_of_date
left join api_latency
    on api_latency.tenant_id = windowed_counts.tenant_id
    and api_latency.as_of_date = windowed_counts.as_of_date
