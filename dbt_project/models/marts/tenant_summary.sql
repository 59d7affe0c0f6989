{{ config(materialized='table', indexes=[]) }}

{#-
  One row per tenant: its latest as-of day built, with plan, mrr, locale, activity and the
  four statuses. Rebuilt in full on every run (a table).
-#}

with tenants as (

    -- every tenant the snapshot ever captured: a scorecard row's tenant is among them
    select distinct tenant_id from {{ ref('snap_app_tenants') }}

),

latest as (

    -- one probe per tenant of the scorecard's (tenant_id, as_of_date) index, not a sort of
    -- the whole history
    select scorecard.*
    from tenants
    cross join lateral (
        select days_of_tenant.*
        from {{ ref('int_tenant_day_scorecard') }} as days_of_tenant
        where days_of_tenant.tenant_id = tenants.tenant_id
        order by days_of_tenant.as_of_date desc
        limit 1
    ) as scorecard

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    tenant_name,
    plan,
    mrr,
    currency,
    locale,
    timezone,
    tenant_status,
    active_users_7d,
    active_users_30d,
    messages_sent_7d,
    api_requests_7d,
    pending_approvals,
    revenue_protection_status,
    deliverability_status,
    cost_optimization_status,
    operational_status,
    {{ boardroom_approximation_columns([
        'active_users_7d', 'active_users_30d', 'messages_sent_7d', 'api_requests_7d',
        'revenue_protection_status', 'deliverability_status', 'cost_optimization_status',
        'operational_status'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from latest
