{#-
  Connectors by status per tenant x as-of day (integration_sync_states snapshot as valid at
  T): four counts, zeros included, and the total.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['as_of_at']
    ) }}

),

connector_versions as (

    {{ boardroom_snapshot_history(
        ref('snap_app_integration_sync_states'), ['tenant_id', 'connector']
    ) }}

)

select
    tenant_days.tenant_id,
    tenant_days.as_of_date,
    cast(count(connector_versions.connector) filter (
        where connector_versions.connector_status = 'healthy'
    ) as bigint) as connectors_healthy,
    cast(count(connector_versions.connector) filter (
        where connector_versions.connector_status = 'degraded'
    ) as bigint) as connectors_degraded,
    cast(count(connector_versions.connector) filter (
        where connector_versions.connector_status = 'failing'
    ) as bigint) as connectors_failing,
    cast(count(connector_versions.connector) filter (
        where connector_versions.connector_status = 'disconnected'
    ) as bigint) as connectors_disconnected,
    cast(count(connector_versions.connector) as bigint) as connectors_total,
    {{ boardroom_built_at() }} as _built_at
from tenant_days
left join connector_versions
    on connector_versions.tenant_id = tenant_days.tenant_id
    and {{ boardroom_valid_at('connector_versions', 'tenant_days.as_of_at') }}
group by tenant_days.tenant_id, tenant_days.as_of_date
