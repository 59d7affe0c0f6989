{#-
  Estimated infra cost (units x unit_cost_estimate, internal / non-authoritative) per
  tenant x as-of day x provider x service, windowed by usage_date: month to date (first
  day of D's month..D), [D-29, D] and [D-6, D]. Infra usage is not state: it reads the
  current version of each usage row, i.e. the mirror raw.app_infra_usage as extracted
  (deleted rows are gone from it), so a late or revised usage row counts once it has
  arrived; no snapshot history is kept. Read from the per-usage-date rollup
  int_tenant_usage_days over the dates the run's windows reach. One row per provider and
  service with a usage row in either window.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['month_start_date', 'window_7d_start_date', 'window_30d_start_date']
    ) }}

),

usage as (

    select usage_days.*
    from {{ ref('int_tenant_usage_days') }} as usage_days
    where
        {{ boardroom_rollup_window_filter(
            'usage_days.usage_date',
            'least(d.month_start_date, d.window_30d_start_date)',
            is_incremental()
        ) }}

),

usage_in_windows as (

    -- each tenant-day's usage rows from the earlier of D's month start and D-29 to D,
    -- flagged by the windows that hold them
    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        usage.provider,
        usage.service,
        usage.est_infra_cost,
        usage.units,
        usage.usage_rows,
        usage.usage_date >= tenant_days.month_start_date as is_in_mtd,
        usage.usage_date >= tenant_days.window_30d_start_date as is_in_30d,
        usage.usage_date >= tenant_days.window_7d_start_date as is_in_7d
    from tenant_days
    inner join usage
        on usage.tenant_id = tenant_days.tenant_id
        and usage.usage_date <= tenant_days.as_of_date
        and usage.usage_date >= least(
            tenant_days.month_start_date, tenant_days.window_30d_start_date
        )

)

select
    tenant_id,
    as_of_date,
    provider,
    service,
    coalesce(sum(est_infra_cost) filter (where is_in_mtd), 0) as est_infra_cost_mtd,
    coalesce(sum(est_infra_cost) filter (where is_in_30d), 0) as est_infra_cost_30d,
    coalesce(sum(est_infra_cost) filter (where is_in_7d), 0) as est_infra_cost_7d,
    coalesce(sum(units) filter (where is_in_30d), 0) as units_30d,
    cast(coalesce(sum(usage_rows) filter (where is_in_30d), 0) as bigint) as usage_rows_30d,
    {{ boardroom_built_at() }} as _built_at
from usage_in_windows
group by tenant_id, as_of_date, provider, service
