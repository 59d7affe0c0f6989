{#-
  Platform-wide rollup per as-of day, for the platform's own executives only: tenants by
  status, summed figures (currencies are not converted), pooled rates (sum of events over
  sum of events), alerts, and tenants per status level. No tenant_id: it spans tenants.
-#}

with days as (

    {{ boardroom_run_days(is_incremental()) }}

),

scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

),

statuses as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_statuses'), is_incremental()) }}

),

pending as (

    {{ boardroom_run_day_rows(ref('int_pending_approvals'), is_incremental()) }}

),

tenants as (

    select
        as_of_date,
        count(*) as tenants_total,
        count(*) filter (where tenant_status = 'active') as tenants_active,
        count(*) filter (where tenant_status = 'suspended') as tenants_suspended,
        count(*) filter (where tenant_status = 'churned') as tenants_churned,
        coalesce(sum(mrr), 0) as mrr_total,
        case
            when count(distinct currency) = 1 then min(currency)
            when count(distinct currency) > 1 then 'mixed'
        end as currency,
        sum(revenue_won_30d) as revenue_won_30d,
        sum(pipeline_value) as pipeline_value,
        sum(payments_collected_30d) as payments_collected_30d,
        sum(revenue_at_risk_30d) as revenue_at_risk_30d,
        sum(est_infra_cost_30d) as est_infra_cost_30d,
        sum(messages_sent_7d) as messages_sent_7d,
        sum(messages_delivered_7d) as messages_delivered_7d,
        sum(messages_bounced_7d) as messages_bounced_7d,
        sum(messages_complained_7d) as messages_complained_7d,
        sum(api_requests_7d) as api_requests_7d,
        sum(api_errors_7d) as api_errors_7d,
        sum(active_users_30d) as active_users_30d,
        sum(pending_approvals) as pending_approvals,
        sum(approvals_sla_warning) as approvals_sla_warning,
        sum(approvals_overdue) as approvals_overdue,
        count(*) filter (where revenue_protection_status = 'ok')
            as tenants_revenue_protection_ok,
        count(*) filter (where revenue_protection_status = 'watch')
            as tenants_revenue_protection_watch,
        count(*) filter (where revenue_protection_status = 'at_risk')
            as tenants_revenue_protection_at_risk,
        count(*) filter (where revenue_protection_status = 'unknown')
            as tenants_revenue_protection_unknown,
        count(*) filter (where deliverability_status = 'ok')
            as tenants_deliverability_ok,
        count(*) filter (where deliverability_status = 'watch')
            as tenants_deliverability_watch,
        count(*) filter (where deliverability_status = 'at_risk')
            as tenants_deliverability_at_risk,
        count(*) filter (where deliverability_status = 'unknown')
            as tenants_deliverability_unknown,
        count(*) filter (where cost_optimization_status = 'ok')
            as tenants_cost_optimization_ok,
        count(*) filter (where cost_optimization_status = 'watch')
            as tenants_cost_optimization_watch,
        count(*) filter (where cost_optimization_status = 'at_risk')
            as tenants_cost_optimization_at_risk,
        count(*) filter (where cost_optimization_status = 'unknown')
            as tenants_cost_optimization_unknown,
        count(*) filter (where operational_status = 'ok')
            as tenants_operational_ok,
        count(*) filter (where operational_status = 'watch')
            as tenants_operational_watch,
        count(*) filter (where operational_status = 'at_risk')
            as tenants_operational_at_risk,
        count(*) filter (where operational_status = 'unknown')
            as tenants_operational_unknown
    from scorecard
    group by as_of_date

),

alerts as (

    select
        statuses.as_of_date,
        {{ boardroom_status_alert_severity('statuses.status') }} as severity
    from statuses
    where statuses.status in ('watch', 'at_risk')
    union all
    select
        pending.as_of_date,
        {{ boardroom_sla_breach_severity('pending.priority') }} as severity
    from pending
    where pending.is_overdue

),

alert_counts as (

    select
        as_of_date,
        count(*) filter (where severity = 'critical') as alerts_critical,
        count(*) filter (where severity = 'warning') as alerts_warning
    from alerts
    group by as_of_date

)

select
    days.as_of_date,
    days.data_as_of,
    cast(coalesce(tenants.tenants_total, 0) as bigint) as tenants_total,
    cast(coalesce(tenants.tenants_active, 0) as bigint) as tenants_active,
    cast(coalesce(tenants.tenants_suspended, 0) as bigint) as tenants_suspended,
    cast(coalesce(tenants.tenants_churned, 0) as bigint) as tenants_churned,
    tenants.currency,
    cast(coalesce(tenants.mrr_total, 0) as numeric) as mrr_total,
    cast(coalesce(tenants.revenue_won_30d, 0) as numeric) as revenue_won_30d,
    cast(coalesce(tenants.pipeline_value, 0) as numeric) as pipeline_value,
    cast(coalesce(tenants.payments_collected_30d, 0) as numeric) as payments_collected_30d,
    cast(coalesce(tenants.revenue_at_risk_30d, 0) as numeric) as revenue_at_risk_30d,
    cast(coalesce(tenants.est_infra_cost_30d, 0) as numeric) as est_infra_cost_30d,
    cast(coalesce(tenants.messages_sent_7d, 0) as bigint) as messages_sent_7d,
    {{ boardroom_message_rates_7d('tenants') }},
    cast(coalesce(tenants.api_requests_7d, 0) as bigint) as api_requests_7d,
    cast(coalesce(tenants.api_errors_7d, 0) as bigint) as api_errors_7d,
    {{ boardroom_ratio('tenants.api_errors_7d', 'tenants.api_requests_7d') }} as api_error_rate_7d,
    cast(coalesce(tenants.active_users_30d, 0) as bigint) as active_users_30d,
    cast(coalesce(tenants.pending_approvals, 0) as bigint) as pending_approvals,
    cast(coalesce(tenants.approvals_sla_warning, 0) as bigint) as approvals_sla_warning,
    cast(coalesce(tenants.approvals_overdue, 0) as bigint) as approvals_overdue,
    cast(coalesce(alert_counts.alerts_critical, 0) as bigint) as alerts_critical,
    cast(coalesce(alert_counts.alerts_warning, 0) as bigint) as alerts_warning,
    cast(coalesce(tenants.tenants_revenue_protection_ok, 0) as bigint)
        as tenants_revenue_protection_ok,
    cast(coalesce(tenants.tenants_revenue_protection_watch, 0) as bigint)
        as tenants_revenue_protection_watch,
    cast(coalesce(tenants.tenants_revenue_protection_at_risk, 0) as bigint)
        as tenants_revenue_protection_at_risk,
    cast(coalesce(tenants.tenants_revenue_protection_unknown, 0) as bigint)
        as tenants_revenue_protection_unknown,
    cast(coalesce(tenants.tenants_deliverability_ok, 0) as bigint)
        as tenants_deliverability_ok,
    cast(coalesce(tenants.tenants_deliverability_watch, 0) as bigint)
        as tenants_deliverability_watch,
    cast(coalesce(tenants.tenants_deliverability_at_risk, 0) as bigint)
        as tenants_deliverability_at_risk,
    cast(coalesce(tenants.tenants_deliverability_unknown, 0) as bigint)
        as tenants_deliverability_unknown,
    cast(coalesce(tenants.tenants_cost_optimization_ok, 0) as bigint)
        as tenants_cost_optimization_ok,
    cast(coalesce(tenants.tenants_cost_optimization_watch, 0) as bigint)
        as tenants_cost_optimization_watch,
    cast(coalesce(tenants.tenants_cost_optimization_at_risk, 0) as bigint)
        as tenants_cost_optimization_at_risk,
    cast(coalesce(tenants.tenants_cost_optimization_unknown, 0) as bigint)
        as tenants_cost_optimization_unknown,
    cast(coalesce(tenants.tenants_operational_ok, 0) as bigint)
        as tenants_operational_ok,
    cast(coalesce(tenants.tenants_operational_watch, 0) as bigint)
        as tenants_operational_watch,
    cast(coalesce(tenants.tenants_operational_at_risk, 0) as bigint)
        as tenants_operational_at_risk,
    cast(coalesce(tenants.tenants_operational_unknown, 0) as bigint)
        as tenants_operational_unknown,
    {{ boardroom_approximation_columns([
        'payments_collected_30d', 'revenue_at_risk_30d', 'est_infra_cost_30d',
        'messages_sent_7d', 'delivery_rate_7d', 'bounce_rate_7d', 'complaint_rate_7d',
        'api_requests_7d', 'api_errors_7d', 'api_error_rate_7d', 'active_users_30d'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from days
left join tenants on tenants.as_of_date = days.as_of_date
left join alert_counts on alert_counts.as_of_date = days.as_of_date
