{{ config(materialized='table') }}

{#-
  One row per tenant: its latest as-of day built, with plan, mrr, locale, activity and the
  four statuses. Rebuilt in full on every run (a table).
-#}

with latest as (

    select distinct on (scorecard.tenant_id) scorecard.*
    from {{ ref('int_tenant_day_scorecard') }} as scorecard
    order by scorecard.tenant_id, scorecard.as_of_date desc

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
