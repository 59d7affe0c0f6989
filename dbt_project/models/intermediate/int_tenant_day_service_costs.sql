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
    where {{ boardroom_rollup_window_filter('usage_days.usage_date', 'least(d.month_start_date, d.window_30d_start_date)', is_incremental()) }}

)

select
    tenant_days.tenant_id,
    tenant_days.as_of_date,
    usage.provider,
    usage.service,
    coalesce(sum(usage.est_infra_cost) filter (where usage.usage_date >= tenant_days.month_start_date), 0) as est_infra_cost_mtd,
    coalesce(sum(usage.est_infra_cost) filter (where usage.usage_date >= tenant_days.window_30d_start_date), 0) as est_infra_cost_30d,
    coalesce(sum(usage.est_infra_cost) filter (where usage.usage_date >= tenant_days.window_7d_start_date), 0) as est_infra_cost_7d,
    coalesce(sum(usage.units) filter (where usage.usage_date >= tenant_days.window_30d_start_date), 0) as units_30d,
    cast(coalesce(sum(usage.usage_rows) filter (where usage.usage_date >= tenant_days.window_30d_start_date), 0) as bigint) as usage_rows_30d,
    {{ boardroom_built_at() }} as _built_at
from tenant_days
inner join usage
    on usage.tenant_id = tenant_days.tenant_id
    and usage.usage_date >= least(tenant_days.month_start_date, tenant_days.window_30d_start_date)
    and usage.usage_date <= tenant_days.as_of_date
group by tenant_days.tenant_id, tenant_days.as_of_date, usage.provider, usage.service
