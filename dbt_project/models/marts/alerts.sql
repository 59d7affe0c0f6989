{#-
  The alert feed (BF-005), tenant x day x alert: one row per status at watch (warning) or
  at_risk (critical), naming the rule that set it, and one per SLA breach (a pending
  approval with sla_deadline_at before T; critical for critical/high priority, else
  warning). alert_id = md5 of [tenant_id, as_of_date, kind, key]: stable across re-runs.
  `value` and `threshold` are exact; `message` is display text (4 decimals).
-#}

with statuses as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_day_statuses'), is_incremental(), day_columns=['data_as_of']
    ) }}

),

pending as (

    {{ boardroom_run_day_rows(
        ref('int_pending_approvals'), is_incremental(), day_columns=['data_as_of']
    ) }}

),

catalog as (

    select * from {{ ref('metric_catalog') }}

),

status_alerts as (

    select
        statuses.tenant_id,
        statuses.as_of_date,
        statuses.data_as_of,
        'status' as alert_kind,
        statuses.status_name as alert_key,
        {{ boardroom_status_alert_severity('statuses.status') }} as severity,
        statuses.status_name,
        statuses.status,
        statuses.trigger_metric as metric,
        statuses.trigger_value as value,
        statuses.trigger_threshold as threshold,
        format(
            '%s is %s: %s = %s (threshold %s)',
            statuses.status_name,
            statuses.status,
            statuses.trigger_metric,
            trim_scale(round(statuses.trigger_value, 4)),
            trim_scale(statuses.trigger_threshold)
        ) as message,
        cast(null as text) as approval_id,
        coalesce(catalog.is_approximate, false) as is_approximate,
        case when catalog.is_approximate then catalog.label end as approximation_label
    from statuses
    left join catalog on catalog.name = statuses.trigger_metric
    where statuses.status in ('watch', 'at_risk')

),

sla_breaches as (

    select
        pending.tenant_id,
        pending.as_of_date,
        pending.data_as_of,
        'sla_breach' as alert_kind,
        pending.approval_id as alert_key,
        {{ boardroom_sla_breach_severity('pending.priority') }} as severity,
        cast(null as text) as status_name,
        cast(null as text) as status,
        'approvals_overdue' as metric,
        -pending.hours_to_sla_deadline as value,
        cast(0 as numeric) as threshold,
        format(
            'Approval %s (%s priority, %s) is %s h past its SLA deadline',
            pending.approval_id,
            pending.priority,
            pending.category,
            trim_scale(round(-pending.hours_to_sla_deadline, 1))
        ) as message,
        pending.approval_id,
        false as is_approximate,
        cast(null as text) as approximation_label
    from pending
    where pending.is_overdue

),

unioned as (

    select * from status_alerts
    union all
    select * from sla_breaches

)

select
    md5(
        cast(jsonb_build_array(tenant_id, cast(as_of_date as text), alert_kind, alert_key) as text)
    ) as alert_id,
    tenant_id,
    as_of_date,
    data_as_of,
    alert_kind,
    alert_key,
    severity,
    status_name,
    status,
    metric,
    value,
    threshold,
    message,
    approval_id,
    is_approximate,
    approximation_label,
    {{ boardroom_built_at() }} as _built_at
from unioned
