{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='as_of_date'
    )
}}

{#-
  The date spine of as-of days: one row per as-of day this invocation (re)builds, tagged
  with the invocation id; every downstream incremental model rebuilds exactly these days
  (boardroom_run_days) and the replace_as_of_days strategy replaces them.
  The refs below are read only on incremental runs (late-data detection).
#}
-- depends_on: {{ ref('stg_posthog__events') }}
-- depends_on: {{ ref('stg_app__infra_usage') }}

{#-
  The run window (macros/dates.sql: boardroom_run_window) is read when the model runs,
  never while dbt parses it, so a new window each day re-parses nothing.
#}
with days_to_build as (

    {%- if not execute %}
        select cast(null as date) as as_of_date
    {%- else %}
        {{ boardroom_days_to_build(
            incremental=is_incremental(), existing_relation=this, **boardroom_run_window()
        ) }}
    {%- endif %}

),

watermarks as (

    select * from {{ ref('int_source_watermarks') }}

)

select
    days_to_build.as_of_date,
    {{ boardroom_utc_midnight('days_to_build.as_of_date + 1') }} as as_of_at,
    {{ boardroom_utc_midnight('days_to_build.as_of_date + 1') }}
    + interval '4 hours' as sla_warning_before,
    days_to_build.as_of_date - 6 as window_7d_start_date,
    days_to_build.as_of_date - 29 as window_30d_start_date,
    days_to_build.as_of_date - 89 as window_90d_start_date,
    cast(date_trunc('month', days_to_build.as_of_date) as date) as month_start_date,
    {{ boardroom_utc_midnight('days_to_build.as_of_date - 6') }} as window_7d_start_at,
    {{ boardroom_utc_midnight('days_to_build.as_of_date - 29') }} as window_30d_start_at,
    {{ boardroom_utc_midnight('days_to_build.as_of_date - 89') }} as window_90d_start_at,
    -- least() ignores nulls: a source with no rows yet does not hold the day back.
    least(
        {{ boardroom_utc_midnight('days_to_build.as_of_date + 1') }},
        watermarks.events_complete_until,
        watermarks.app_complete_until
    ) as data_as_of,
    cast('{{ invocation_id }}' as text) as _invocation_id,
    {{ boardroom_built_at() }} as _built_at
from days_to_build
cross join watermarks
