{#-
  The approval queue per tenant x as-of day: approval requests pending at T (approvals
  snapshot as valid at T, created before T), ranked critical, high, normal, low, then
  oldest first (then approval_id). is_sla_warning: sla_deadline_at strictly before T + 4 h
  (overdue included); is_overdue (an SLA breach): sla_deadline_at before T.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['as_of_at', 'sla_warning_before']
    ) }}

),

approval_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_approval_requests'), ['approval_id']) }}

),

pending as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        tenant_days.as_of_at,
        tenant_days.sla_warning_before,
        approval_versions.approval_id,
        approval_versions.category,
        approval_versions.priority,
        case approval_versions.priority
            when 'critical' then 1
            when 'high' then 2
            when 'normal' then 3
            when 'low' then 4
            else 5
        end as priority_rank,
        approval_versions.created_at,
        approval_versions.sla_deadline_at,
        approval_versions.escalation_level
    from tenant_days
    inner join approval_versions
        on approval_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('approval_versions', 'tenant_days.as_of_at') }}
        and approval_versions.created_at < tenant_days.as_of_at
        and approval_versions.approval_status = 'pending'

)

select
    tenant_id,
    as_of_date,
    approval_id,
    cast(row_number() over (
        partition by tenant_id, as_of_date
        order by priority_rank, created_at, approval_id
    ) as integer) as queue_rank,
    category,
    priority,
    cast(priority_rank as integer) as priority_rank,
    created_at,
    sla_deadline_at,
    escalation_level,
    coalesce(sla_deadline_at < sla_warning_before, false) as is_sla_warning,
    coalesce(sla_deadline_at < as_of_at, false) as is_overdue,
    {{ boardroom_ratio('extract(epoch from (sla_deadline_at - as_of_at))', '3600') }}
        as hours_to_sla_deadline,
    {{ boardroom_built_at() }} as _built_at
from pending
