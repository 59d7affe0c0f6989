{{
    config(
        indexes=[
            {'columns': ['as_of_date']},
            {'columns': ['tenant_id', 'as_of_date']}
        ]
    )
}}

{#- int_tenant_day_metrics with the four statuses as columns: what the marts project. -#}

with metrics as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_metrics'), is_incremental()) }}

),

status_rows as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_statuses'), is_incremental()) }}

),

statuses as (

    select
        status_rows.tenant_id,
        status_rows.as_of_date,
        max(status_rows.status) filter (
            where status_rows.status_name = 'revenue_protection_status'
        ) as revenue_protection_status,
        max(status_rows.status) filter (
            where status_rows.status_name = 'deliverability_status'
        ) as deliverability_status,
        max(status_rows.status) filter (
            where status_rows.status_name = 'cost_optimization_status'
        ) as cost_optimization_status,
        max(status_rows.status) filter (
            where status_rows.status_name = 'operational_status'
        ) as operational_status
    from status_rows
    group by status_rows.tenant_id, status_rows.as_of_date

)

select
    -- every column of int_tenant_day_metrics (named once, there), then the statuses
    metrics.*,  -- noqa: AM04
    statuses.revenue_protection_status,
    statuses.deliverability_status,
    statuses.cost_optimization_status,
    statuses.operational_status,
    currencies.currency
from metrics
left join statuses
    on statuses.tenant_id = metrics.tenant_id
    and statuses.as_of_date = metrics.as_of_date
left join {{ ref('int_tenant_currencies') }} as currencies
    on currencies.tenant_id = metrics.tenant_id
