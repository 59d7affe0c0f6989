{#- Cost optimisation, tenant x day: estimated infra cost (internal / non-authoritative). -#}

with scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    currency,
    mrr,
    est_infra_cost_mtd,
    est_infra_cost_30d,
    est_infra_cost_7d,
    usage_rows_30d,
    messages_sent_7d,
    est_cost_per_1k_messages_7d,
    est_cost_to_mrr_ratio_30d,
    cost_optimization_status,
    {{ boardroom_approximation_columns([
        'est_infra_cost_mtd', 'est_infra_cost_30d', 'est_infra_cost_7d', 'messages_sent_7d',
        'est_cost_per_1k_messages_7d', 'est_cost_to_mrr_ratio_30d', 'cost_optimization_status'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from scorecard
