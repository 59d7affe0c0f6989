{#- The executive overview: the four statuses with their headline figures, tenant x day. -#}

with scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    tenant_name,
    plan,
    tenant_status,
    currency,
    revenue_protection_status,
    revenue_won_30d,
    payments_collected_30d,
    revenue_at_risk_30d,
    revenue_at_risk_ratio_30d,
    deliverability_status,
    messages_sent_7d,
    delivery_rate_7d,
    bounce_rate_7d,
    complaint_rate_7d,
    cost_optimization_status,
    est_infra_cost_30d,
    est_cost_to_mrr_ratio_30d,
    operational_status,
    api_error_rate_7d,
    connectors_degraded,
    connectors_failing,
    connectors_disconnected,
    pending_approvals,
    approvals_sla_warning,
    {{ boardroom_approximation_columns([
        'revenue_protection_status', 'payments_collected_30d', 'revenue_at_risk_30d',
        'revenue_at_risk_ratio_30d', 'deliverability_status', 'messages_sent_7d',
        'delivery_rate_7d', 'bounce_rate_7d', 'complaint_rate_7d', 'cost_optimization_status',
        'est_infra_cost_30d', 'est_cost_to_mrr_ratio_30d', 'operational_status',
        'api_error_rate_7d'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from scorecard
