{{
    config(
        incremental_strategy='replace_event_days',
        rollup_day_column='usage_date',
        indexes=[{'columns': ['usage_date', 'tenant_id']}]
    )
}}

{#-
  Rollup of infra usage per tenant x usage_date x provider x service: estimated cost
  (units x unit_cost_estimate), units and usage rows, from the current usage rows (the
  mirror as extracted; infra usage is not state). Rebuilt only for the days of this
  invocation (int_event_days: the run's days and the usage dates of rows extracted since
  late_events_loaded_since); the month-to-date, 30- and 7-day cost windows sum these rows.
-#}
-- depends_on: {{ ref('int_event_days') }}
-- depends_on: {{ ref('int_as_of_days') }}

select
    usage_rows.tenant_id,
    usage_rows.usage_date,
    usage_rows.provider,
    usage_rows.service,
    sum(usage_rows.units * usage_rows.unit_cost_estimate) as est_infra_cost,
    sum(usage_rows.units) as units,
    cast(count(*) as bigint) as usage_rows,
    {{ boardroom_built_at() }} as _built_at
from {{ ref('stg_app__infra_usage') }} as usage_rows
where {{ boardroom_event_days_filter('usage_rows.usage_date', is_incremental(), is_date=true) }}
group by 1, 2, 3, 4
