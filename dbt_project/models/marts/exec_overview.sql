{#- The executive overview: the four statuses with their headline figures, tenant x day. -#}

with days as (

    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', is_incremental()) }}

),

scorecard as (

    select scorecard.*
    from {{ ref('int_tenant_day_scorecard') }} as scorecard
    inner join days on days.as_of_date = scorecard.as_of_date
        and {{ boardroom_run_days_in('scorecard.as_of_date', is_incremental()) }}

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
