{#-
  Every metric of PRODUCT.md per tenant x as-of day, one wide row: tenant attributes at T,
  event windows, revenue at risk, deals, approvals, connectors, compliance, governance and
  cost, with the derived ratios. Sums and counts over nothing are 0; ratios whose
  denominator is 0 are null; nothing is rounded.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(ref('int_tenant_days'), is_incremental()) }}

),

invoice_states as (

    {{ boardroom_run_day_rows(ref('int_invoice_states'), is_incremental()) }}

),

pending_approvals as (

    {{ boardroom_run_day_rows(ref('int_pending_approvals'), is_incremental()) }}

),

service_costs as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_service_costs'), is_incremental()) }}

),

invoices as (

    select
        tenant_id,
        as_of_date,
        sum(amount_at_risk) as revenue_at_risk_30d,
        count(*) filter (where not is_cured) as invoices_at_risk_30d
    from invoice_states
    group by tenant_id, as_of_date

),

approvals as (

    select
        tenant_id,
        as_of_date,
        count(*) as pending_approvals,
        count(*) filter (where is_sla_warning) as approvals_sla_warning,
        count(*) filter (where is_overdue) as approvals_overdue
    from pending_approvals
    group by tenant_id, as_of_date

),

costs as (

    select
        tenant_id,
        as_of_date,
        sum(est_infra_cost_mtd) as est_infra_cost_mtd,
        sum(est_infra_cost_30d) as est_infra_cost_30d,
        sum(est_infra_cost_7d) as est_infra_cost_7d,
        sum(usage_rows_30d) as usage_rows_30d
    from service_costs
    group by tenant_id, as_of_date

),

joined as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        tenant_days.as_of_at,
        tenant_days.data_as_of,
        tenant_days.tenant_name,
        tenant_days.plan,
        tenant_days.mrr,
        tenant_days.locale,
        tenant_days.timezone,
        tenant_days.tenant_status,
        -- revenue
        coalesce(deals.revenue_won_30d, 0) as revenue_won_30d,
        coalesce(deals.deals_won_30d, 0) as deals_won_30d,
        coalesce(deals.pipeline_value, 0) as pipeline_value,
        coalesce(deals.open_deals, 0) as open_deals,
        coalesce(deals.deals_won_90d, 0) as deals_won_90d,
        coalesce(deals.deals_lost_90d, 0) as deals_lost_90d,
        deals.win_rate_90d,
        coalesce(events.payments_collected_30d, 0) as payments_collected_30d,
        coalesce(invoices.revenue_at_risk_30d, 0) as revenue_at_risk_30d,
        coalesce(invoices.invoices_at_risk_30d, 0) as invoices_at_risk_30d,
        -- deliverability
        coalesce(events.messages_sent_7d, 0) as messages_sent_7d,
        coalesce(events.messages_delivered_7d, 0) as messages_delivered_7d,
        coalesce(events.messages_bounced_7d, 0) as messages_bounced_7d,
        coalesce(events.messages_complained_7d, 0) as messages_complained_7d,
        events.delivery_rate_7d,
        events.bounce_rate_7d,
        events.complaint_rate_7d,
        coalesce(events.otp_sent_7d, 0) as otp_sent_7d,
        coalesce(events.otp_verified_7d, 0) as otp_verified_7d,
        events.otp_verification_rate_7d,
        -- operations
        coalesce(events.api_requests_7d, 0) as api_requests_7d,
        coalesce(events.api_errors_7d, 0) as api_errors_7d,
        events.api_error_rate_7d,
        events.api_p95_latency_ms_7d,
        coalesce(events.active_users_7d, 0) as active_users_7d,
        coalesce(events.active_users_30d, 0) as active_users_30d,
        coalesce(connectors.connectors_healthy, 0) as connectors_healthy,
        coalesce(connectors.connectors_degraded, 0) as connectors_degraded,
        coalesce(connectors.connectors_failing, 0) as connectors_failing,
        coalesce(connectors.connectors_disconnected, 0) as connectors_disconnected,
        coalesce(connectors.connectors_total, 0) as connectors_total,
        -- cost
        coalesce(costs.est_infra_cost_mtd, 0) as est_infra_cost_mtd,
        coalesce(costs.est_infra_cost_30d, 0) as est_infra_cost_30d,
        coalesce(costs.est_infra_cost_7d, 0) as est_infra_cost_7d,
        coalesce(costs.usage_rows_30d, 0) as usage_rows_30d,
        -- executive room
        coalesce(approvals.pending_approvals, 0) as pending_approvals,
        coalesce(approvals.approvals_sla_warning, 0) as approvals_sla_warning,
        coalesce(approvals.approvals_overdue, 0) as approvals_overdue,
        coalesce(compliance.controls_passing, 0) as controls_passing,
        coalesce(compliance.controls_failing, 0) as controls_failing,
        coalesce(compliance.controls_not_assessed, 0) as controls_not_assessed,
        coalesce(compliance.controls_total, 0) as controls_total,
        compliance.compliance_posture,
        coalesce(compliance.consent_subjects, 0) as consent_subjects,
        coalesce(compliance.consent_subjects_covered, 0) as consent_subjects_covered,
        compliance.pdpl_consent_coverage,
        coalesce(governance.active_contradictions, 0) as active_contradictions,
        coalesce(governance.active_strategic_deals, 0) as active_strategic_deals,
        coalesce(governance.evidence_packs_ready, 0) as evidence_packs_ready
    from tenant_days
    left join {{ ref('int_tenant_day_event_metrics') }} as events
        on events.tenant_id = tenant_days.tenant_id
        and events.as_of_date = tenant_days.as_of_date
        and {{ boardroom_run_days_in('events.as_of_date', is_incremental()) }}
    left join invoices
        on invoices.tenant_id = tenant_days.tenant_id
        and invoices.as_of_date = tenant_days.as_of_date
    left join {{ ref('int_tenant_day_deals') }} as deals
        on deals.tenant_id = tenant_days.tenant_id
        and deals.as_of_date = tenant_days.as_of_date
        and {{ boardroom_run_days_in('deals.as_of_date', is_incremental()) }}
    left join approvals
        on approvals.tenant_id = tenant_days.tenant_id
        and approvals.as_of_date = tenant_days.as_of_date
    left join {{ ref('int_tenant_day_connectors') }} as connectors
        on connectors.tenant_id = tenant_days.tenant_id
        and connectors.as_of_date = tenant_days.as_of_date
        and {{ boardroom_run_days_in('connectors.as_of_date', is_incremental()) }}
    left join {{ ref('int_tenant_day_compliance') }} as compliance
        on compliance.tenant_id = tenant_days.tenant_id
        and compliance.as_of_date = tenant_days.as_of_date
        and {{ boardroom_run_days_in('compliance.as_of_date', is_incremental()) }}
    left join {{ ref('int_tenant_day_governance') }} as governance
        on governance.tenant_id = tenant_days.tenant_id
        and governance.as_of_date = tenant_days.as_of_date
        and {{ boardroom_run_days_in('governance.as_of_date', is_incremental()) }}
    left join costs
        on costs.tenant_id = tenant_days.tenant_id
        and costs.as_of_date = tenant_days.as_of_date

)

select
    tenant_id,
    as_of_date,
    as_of_at,
    data_as_of,
    tenant_name,
    plan,
    mrr,
    locale,
    timezone,
    tenant_status,
    cast(revenue_won_30d as numeric) as revenue_won_30d,
    cast(deals_won_30d as bigint) as deals_won_30d,
    cast(pipeline_value as numeric) as pipeline_value,
    cast(open_deals as bigint) as open_deals,
    cast(deals_won_90d as bigint) as deals_won_90d,
    cast(deals_lost_90d as bigint) as deals_lost_90d,
    win_rate_90d,
    cast(payments_collected_30d as numeric) as payments_collected_30d,
    cast(revenue_at_risk_30d as numeric) as revenue_at_risk_30d,
    cast(invoices_at_risk_30d as bigint) as invoices_at_risk_30d,
    {{ boardroom_ratio('revenue_at_risk_30d', 'payments_collected_30d + revenue_at_risk_30d') }}
        as revenue_at_risk_ratio_30d,
    cast(messages_sent_7d as bigint) as messages_sent_7d,
    cast(messages_delivered_7d as bigint) as messages_delivered_7d,
    cast(messages_bounced_7d as bigint) as messages_bounced_7d,
    cast(messages_complained_7d as bigint) as messages_complained_7d,
    delivery_rate_7d,
    bounce_rate_7d,
    complaint_rate_7d,
    cast(otp_sent_7d as bigint) as otp_sent_7d,
    cast(otp_verified_7d as bigint) as otp_verified_7d,
    otp_verification_rate_7d,
    cast(api_requests_7d as bigint) as api_requests_7d,
    cast(api_errors_7d as bigint) as api_errors_7d,
    api_error_rate_7d,
    api_p95_latency_ms_7d,
    cast(active_users_7d as bigint) as active_users_7d,
    cast(active_users_30d as bigint) as active_users_30d,
    cast(connectors_healthy as bigint) as connectors_healthy,
    cast(connectors_degraded as bigint) as connectors_degraded,
    cast(connectors_failing as bigint) as connectors_failing,
    cast(connectors_disconnected as bigint) as connectors_disconnected,
    cast(connectors_total as bigint) as connectors_total,
    cast(est_infra_cost_mtd as numeric) as est_infra_cost_mtd,
    cast(est_infra_cost_30d as numeric) as est_infra_cost_30d,
    cast(est_infra_cost_7d as numeric) as est_infra_cost_7d,
    cast(usage_rows_30d as bigint) as usage_rows_30d,
    -- all of the tenant's infra cost in [D-6, D] per 1000 messages sent in [D-6, D]
    {{ boardroom_ratio('est_infra_cost_7d * 1000', 'messages_sent_7d') }}
        as est_cost_per_1k_messages_7d,
    case
        when mrr > 0 and usage_rows_30d > 0
            then {{ boardroom_ratio('est_infra_cost_30d', 'mrr') }}
    end as est_cost_to_mrr_ratio_30d,
    cast(pending_approvals as bigint) as pending_approvals,
    cast(approvals_sla_warning as bigint) as approvals_sla_warning,
    cast(approvals_overdue as bigint) as approvals_overdue,
    cast(controls_passing as bigint) as controls_passing,
    cast(controls_failing as bigint) as controls_failing,
    cast(controls_not_assessed as bigint) as controls_not_assessed,
    cast(controls_total as bigint) as controls_total,
    compliance_posture,
    cast(consent_subjects as bigint) as consent_subjects,
    cast(consent_subjects_covered as bigint) as consent_subjects_covered,
    pdpl_consent_coverage,
    cast(active_contradictions as bigint) as active_contradictions,
    cast(active_strategic_deals as bigint) as active_strategic_deals,
    cast(evidence_packs_ready as bigint) as evidence_packs_ready,
    {{ boardroom_built_at() }} as _built_at
from joined
