{{
    config(
        indexes=[
            {'columns': ['as_of_date']},
            {'columns': ['tenant_id', 'as_of_date']}
        ]
    )
}}

{#- int_tenant_day_metrics with the four statuses as columns: what the marts project. -#}

with days as (

    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', is_incremental()) }}

),

statuses as (

    select
        statuses.tenant_id,
        statuses.as_of_date,
        max(statuses.status) filter (where statuses.status_name = 'revenue_protection_status') as revenue_protection_status,
        max(statuses.status) filter (where statuses.status_name = 'deliverability_status') as deliverability_status,
        max(statuses.status) filter (where statuses.status_name = 'cost_optimization_status') as cost_optimization_status,
        max(statuses.status) filter (where statuses.status_name = 'operational_status') as operational_status
    from {{ ref('int_tenant_day_statuses') }} as statuses
    inner join days on days.as_of_date = statuses.as_of_date
        and {{ boardroom_run_days_in('statuses.as_of_date', is_incremental()) }}
    group by statuses.tenant_id, statuses.as_of_date

)

select
    metrics.*,
    statuses.revenue_protection_status,
    statuses.deliverability_status,
    statuses.cost_optimization_status,
    statuses.operational_status,
    currencies.currency
from {{ ref('int_tenant_day_metrics') }} as metrics
inner join days on days.as_of_date = metrics.as_of_date
        and {{ boardroom_run_days_in('metrics.as_of_date', is_incremental()) }}
left join statuses
    on statuses.tenant_id = metrics.tenant_id
    and statuses.as_of_date = metrics.as_of_date
left join {{ ref('int_tenant_currencies') }} as currencies
    on currencies.tenant_id = metrics.tenant_id
