{#-
  The approval center's queue, tenant x day x pending approval: ordered by queue_rank
  (critical, high, normal, low, then oldest first), with SLA warning and overdue flags.
-#}

with pending as (

    {{ boardroom_run_day_rows(
        ref('int_pending_approvals'), is_incremental(), day_columns=['data_as_of']
    ) }}

)

select
    pending.tenant_id,
    pending.as_of_date,
    pending.approval_id,
    pending.data_as_of,
    pending.queue_rank,
    pending.category,
    pending.priority,
    pending.priority_rank,
    pending.created_at,
    pending.sla_deadline_at,
    pending.escalation_level,
    pending.is_sla_warning,
    pending.is_overdue,
    pending.hours_to_sla_deadline,
    {{ boardroom_built_at() }} as _built_at
from pending
