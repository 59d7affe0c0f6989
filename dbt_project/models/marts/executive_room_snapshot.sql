{#-
  The executive room (seed 004), tenant x day: revenue actual (revenue_won_30d), pipeline
  value, win rate (win_rate_90d), pending approvals, SLA warning, connector health,
  compliance posture, active contradictions, strategic deals, evidence packs ready. Every
  figure comes from the operational database (none is approximate).
-#}

with scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    currency,
    revenue_won_30d,
    pipeline_value,
    win_rate_90d,
    pending_approvals,
    approvals_sla_warning,
    approvals_overdue,
    connectors_healthy,
    connectors_degraded,
    connectors_failing,
    connectors_disconnected,
    connectors_total,
    compliance_posture,
    controls_passing,
    controls_failing,
    controls_not_assessed,
    controls_total,
    pdpl_consent_coverage,
    consent_subjects,
    consent_subjects_covered,
    active_contradictions,
    active_strategic_deals,
    evidence_packs_ready,
    {{ boardroom_built_at() }} as _built_at
from scorecard
