{#-
  The four statuses per tenant x as-of day (one row per status), evaluated by
  boardroom_evaluate_statuses against seed status_thresholds. What makes a status
  assessable (otherwise unknown) is decided here:
    revenue_protection_status  payments_collected_30d + revenue_at_risk_30d > 0
    deliverability_status      messages_sent_7d > 0
    cost_optimization_status   mrr > 0 and a usage row in [D-29, D]
    operational_status         an api_request in [D-6, D] or a connector
  A missing input (null rate, no connector) triggers nothing.
-#}

with metrics as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_metrics'), is_incremental()) }}

),

rule_inputs as (

    select
        tenant_id,
        as_of_date,
        'revenue_protection_status' as status_name,
        'revenue_at_risk_ratio_30d' as metric,
        revenue_at_risk_ratio_30d as value,
        payments_collected_30d + revenue_at_risk_30d > 0 as is_assessable
    from metrics
    union all
    {{ boardroom_deliverability_rule_inputs('metrics', ['tenant_id', 'as_of_date']) }}
    union all
    select
        tenant_id,
        as_of_date,
        'cost_optimization_status' as status_name,
        'est_cost_to_mrr_ratio_30d' as metric,
        est_cost_to_mrr_ratio_30d as value,
        coalesce(mrr > 0, false) and usage_rows_30d > 0 as is_assessable
    from metrics
    union all
    -- operational_status: three rules, one assessability
    select
        metrics.tenant_id,
        metrics.as_of_date,
        'operational_status' as status_name,
        operational.metric,
        operational.value,
        metrics.api_requests_7d > 0 or metrics.connectors_total > 0 as is_assessable
    from metrics
    cross join lateral (
        values
        ('api_error_rate_7d', metrics.api_error_rate_7d),
        (
            'connectors_failing_or_disconnected',
            cast(metrics.connectors_failing + metrics.connectors_disconnected as numeric)
        ),
        ('connectors_degraded', cast(metrics.connectors_degraded as numeric))
    ) as operational (metric, value)

),

evaluated as (

    {{ boardroom_evaluate_statuses('rule_inputs', ['tenant_id', 'as_of_date']) }}

)

select
    evaluated.*,
    {{ boardroom_built_at() }} as _built_at
from evaluated
