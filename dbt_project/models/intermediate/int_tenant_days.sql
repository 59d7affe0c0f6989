{#-
  Tenant x as-of day: every tenant of app.tenants as valid at T = D+1 00:00 UTC (from the
  tenants snapshot; before the first snapshot, as first captured), created before T,
  whatever its status, with its attributes at T.
-#}

with days as (

    {{ boardroom_run_days(is_incremental()) }}

),

tenant_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_tenants'), ['tenant_id']) }}

)

select
    tenant_versions.tenant_id,
    days.as_of_date,
    days.as_of_at,
    days.data_as_of,
    tenant_versions.tenant_name,
    tenant_versions.plan,
    tenant_versions.mrr,
    tenant_versions.locale,
    tenant_versions.timezone,
    tenant_versions.tenant_status,
    tenant_versions.created_at as tenant_created_at,
    {{ boardroom_built_at() }} as _built_at
from days
inner join tenant_versions
    on {{ boardroom_valid_at('tenant_versions', 'days.as_of_at') }}
    and tenant_versions.created_at < days.as_of_at
