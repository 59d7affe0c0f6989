{#-
  Governance counts per tenant x as-of day, from snapshots as valid at T: contradictions
  detected or reviewing (detected before T), strategic deals active, evidence packs ready.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['as_of_at']
    ) }}

),

contradiction_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_contradictions'), ['contradiction_id']) }}

),

strategic_deal_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_strategic_deals'), ['strategic_deal_id']) }}

),

evidence_pack_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_evidence_packs'), ['evidence_pack_id']) }}

),

contradictions as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        count(*) as active_contradictions
    from tenant_days
    inner join contradiction_versions
        on contradiction_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('contradiction_versions', 'tenant_days.as_of_at') }}
        and contradiction_versions.detected_at < tenant_days.as_of_at
        and contradiction_versions.contradiction_status in ('detected', 'reviewing')
    group by tenant_days.tenant_id, tenant_days.as_of_date

),

strategic_deals as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        count(*) as active_strategic_deals
    from tenant_days
    inner join strategic_deal_versions
        on strategic_deal_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('strategic_deal_versions', 'tenant_days.as_of_at') }}
        and strategic_deal_versions.strategic_deal_status = 'active'
    group by tenant_days.tenant_id, tenant_days.as_of_date

),

evidence_packs as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        count(*) as evidence_packs_ready
    from tenant_days
    inner join evidence_pack_versions
        on evidence_pack_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('evidence_pack_versions', 'tenant_days.as_of_at') }}
        and evidence_pack_versions.evidence_pack_status = 'ready'
    group by tenant_days.tenant_id, tenant_days.as_of_date

)

select
    tenant_days.tenant_id,
    tenant_days.as_of_date,
    cast(coalesce(contradictions.active_contradictions, 0) as bigint) as active_contradictions,
    cast(coalesce(strategic_deals.active_strategic_deals, 0) as bigint) as active_strategic_deals,
    cast(coalesce(evidence_packs.evidence_packs_ready, 0) as bigint) as evidence_packs_ready,
    {{ boardroom_built_at() }} as _built_at
from tenant_days
left join contradictions
    on contradictions.tenant_id = tenant_days.tenant_id
    and contradictions.as_of_date = tenant_days.as_of_date
left join strategic_deals
    on strategic_deals.tenant_id = tenant_days.tenant_id
    and strategic_deals.as_of_date = tenant_days.as_of_date
left join evidence_packs
    on evidence_packs.tenant_id = tenant_days.tenant_id
    and evidence_packs.as_of_date = tenant_days.as_of_date
