{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_date',
        indexes=[]
    )
}}

{#-
  The days the rollups hold (event days of PostHog events, usage dates of infra usage),
  one row per UTC day, tagged with the invocation that last (re)built it. The rollups
  rebuild the days of their own invocation (replace_event_days). A full build covers every
  day from the first event or usage row to the last as-of day; an incremental run the days
  its new or late data may have changed (boardroom_event_days_to_build). Reads the same
  run window as int_as_of_days.
#}
-- depends_on: {{ ref('stg_posthog__events') }}
-- depends_on: {{ ref('stg_app__infra_usage') }}

with days_to_build as (

    {%- if is_incremental() %}
        {%- set window = boardroom_run_window() %}
        {{ boardroom_event_days_to_build(
            min_date=window.min_date,
            max_date=window.max_date,
            days=window.days,
            late_since=window.late_since,
            event_days=window.event_days,
            existing_relation=this
        ) }}
    {%- else %}
        select cast(day as date) as event_date
        from
            generate_series(
                cast(least(
                    (select min(as_of_date) from {{ ref('int_as_of_days') }}),
                    (
                        select {{ boardroom_utc_date('min(event_at)') }}
                        from {{ ref('stg_posthog__events') }}
                    ),
                    (select min(usage_date) from {{ ref('stg_app__infra_usage') }})
                ) as timestamp),
                cast((select max(as_of_date) from {{ ref('int_as_of_days') }}) as timestamp),
                interval '1 day'
            ) as day
    {%- endif %}

)

select
    event_date,
    cast('{{ invocation_id }}' as text) as _invocation_id,
    {{ boardroom_built_at() }} as _built_at
from days_to_build
