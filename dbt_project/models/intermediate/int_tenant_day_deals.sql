{#-
  Deal figures per tenant x as-of day, from the deals snapshot as valid at T (rows created
  at or after T left out). Windows on closed_at: [D-29, D] and [D-89, D].
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['as_of_at', 'window_30d_start_at', 'window_90d_start_at']
    ) }}

),

deal_versions as (

    {{ boardroom_snapshot_history(ref('snap_app_deals'), ['deal_id']) }}

),

deals_at_t as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        deal_versions.deal_value,
        deal_versions.deal_status,
        (
            deal_versions.closed_at >= tenant_days.window_30d_start_at
            and deal_versions.closed_at < tenant_days.as_of_at
        ) as is_closed_30d,
        (
            deal_versions.closed_at >= tenant_days.window_90d_start_at
            and deal_versions.closed_at < tenant_days.as_of_at
        ) as is_closed_90d
    from tenant_days
    inner join deal_versions
        on deal_versions.tenant_id = tenant_days.tenant_id
        and {{ boardroom_valid_at('deal_versions', 'tenant_days.as_of_at') }}
        and deal_versions.created_at < tenant_days.as_of_at

),

aggregated as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        coalesce(sum(deals_at_t.deal_value) filter (
            where deals_at_t.deal_status = 'won' and deals_at_t.is_closed_30d
        ), 0) as revenue_won_30d,
        count(deals_at_t.deal_status) filter (
            where deals_at_t.deal_status = 'won' and deals_at_t.is_closed_30d
        ) as deals_won_30d,
        coalesce(sum(deals_at_t.deal_value) filter (
            where deals_at_t.deal_status in ('open', 'negotiating')
        ), 0) as pipeline_value,
        count(deals_at_t.deal_status) filter (
            where deals_at_t.deal_status in ('open', 'negotiating')
        ) as open_deals,
        count(deals_at_t.deal_status) filter (
            where deals_at_t.deal_status = 'won' and deals_at_t.is_closed_90d
        ) as deals_won_90d,
        count(deals_at_t.deal_status) filter (
            where deals_at_t.deal_status = 'lost' and deals_at_t.is_closed_90d
        ) as deals_lost_90d
    from tenant_days
    left join deals_at_t
        on deals_at_t.tenant_id = tenant_days.tenant_id
        and deals_at_t.as_of_date = tenant_days.as_of_date
    group by tenant_days.tenant_id, tenant_days.as_of_date

)

select
    tenant_id,
    as_of_date,
    cast(revenue_won_30d as numeric) as revenue_won_30d,
    cast(deals_won_30d as bigint) as deals_won_30d,
    cast(pipeline_value as numeric) as pipeline_value,
    cast(open_deals as bigint) as open_deals,
    cast(deals_won_90d as bigint) as deals_won_90d,
    cast(deals_lost_90d as bigint) as deals_lost_90d,
    {{ boardroom_ratio('deals_won_90d', 'deals_won_90d + deals_lost_90d') }} as win_rate_90d,
    {{ boardroom_built_at() }} as _built_at
from aggregated
