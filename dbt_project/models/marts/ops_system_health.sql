{#- Operations and system health, tenant x day: API (PostHog), activity, connectors. -#}

with scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    api_requests_7d,
    api_errors_7d,
    api_error_rate_7d,
    api_p95_latency_ms_7d,
    active_users_7d,
    active_users_30d,
    connectors_healthy,
    connectors_degraded,
    connectors_failing,
    connectors_disconnected,
    connectors_total,
    operational_status,
    {{ boardroom_approximation_columns([
        'api_requests_7d', 'api_errors_7d', 'api_error_rate_7d', 'api_p95_latency_ms_7d',
        'active_users_7d', 'active_users_30d', 'operational_status'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from scorecard
