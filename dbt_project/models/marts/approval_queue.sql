{#-
  The approval center's queue, tenant x day x pending approval: ordered by queue_rank
  (critical, high, normal, low, then oldest first), with SLA warning and overdue flags.
-#}

with days as (

    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', is_incremental()) }}

)

select
    pending.tenant_id,
    pending.as_of_date,
    pending.approval_id,
    days.data_as_of,
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
from {{ ref('int_pending_approvals') }} as pending
inner join days on days.as_of_date = pending.as_of_date
        and {{ boardroom_run_days_in('pending.as_of_date', is_incremental()) }}
