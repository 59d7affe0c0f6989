{{
    config(
        incremental_strategy='replace_event_days',
        indexes=[{'columns': ['event_date', 'tenant_id']}]
    )
}}

{#-
  Exact set of active users per tenant x event day: one row per distinct distinct_id with a
  user_signed_in or $pageview event stamped that UTC day (PRODUCT.md counts distinct users
  exactly, so the windows count distinct over these rows, no sketch). Rebuilt only for the
  event days of this invocation (int_event_days).
-#}
-- depends_on: {{ ref('int_event_days') }}
-- depends_on: {{ ref('int_as_of_days') }}

select distinct
    events.tenant_id,
    {{ boardroom_utc_date('events.event_at') }} as event_date,
    events.distinct_id,
    {{ boardroom_built_at() }} as _built_at
from {{ ref('stg_posthog__events') }} as events
where {{ boardroom_event_days_filter('events.event_at', is_incremental()) }}
    and events.event_name in ('user_signed_in', '$pageview')
    and events.distinct_id is not null
