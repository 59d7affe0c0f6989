{{
    config(
        incremental_strategy='replace_event_days',
        indexes=[{'columns': ['event_date', 'tenant_id']}]
    )
}}

{#-
  The exact latencies of api_request events per tenant x event day: one row per distinct
  latency_ms with the number of requests that had it (nulls left out, as percentile_cont
  ignores them). The 7-day p95 expands these counts back into the multiset, so it is the
  same percentile_cont(0.95) as over the raw events. Rebuilt only for the event days of
  this invocation (int_event_days).
-#}
-- depends_on: {{ ref('int_event_days') }}
-- depends_on: {{ ref('int_as_of_days') }}

select
    events.tenant_id,
    {{ boardroom_utc_date('events.event_at') }} as event_date,
    events.latency_ms,
    cast(count(*) as bigint) as requests,
    {{ boardroom_built_at() }} as _built_at
from {{ ref('stg_posthog__events') }} as events
where {{ boardroom_event_days_filter('events.event_at', is_incremental()) }}
    and events.event_name = 'api_request'
    and events.latency_ms is not null
group by 1, 2, 3
