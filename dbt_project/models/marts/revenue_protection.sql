{#- Revenue protection, tenant x day: deals (operational database) and payments (PostHog). -#}

with scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    currency,
    revenue_won_30d,
    deals_won_30d,
    pipeline_value,
    open_deals,
    win_rate_90d,
    deals_won_90d,
    deals_lost_90d,
    payments_collected_30d,
    revenue_at_risk_30d,
    invoices_at_risk_30d,
    revenue_at_risk_ratio_30d,
    revenue_protection_status,
    {{ boardroom_approximation_columns([
        'payments_collected_30d', 'revenue_at_risk_30d', 'invoices_at_risk_30d',
        'revenue_at_risk_ratio_30d', 'revenue_protection_status'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from scorecard
