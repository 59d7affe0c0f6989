{{ config(materialized='view', tags=['static']) }}

{#-
  How far each source is complete, one row.
  * events: the ingestion watermark of the PostHog stream(s) in raw.ingest_state (every
    event PostHog ingested before it has been loaded; the least one if several projects),
    else, with no watermark recorded, the latest PostHog receipt time among loaded events
    (their load time when created_at is missing);
  * operational database: the latest extraction into the raw mirrors.
  Null when a source has nothing yet.
-#}

with ingest_watermarks as (

    select min(watermark) as watermark
    from {{ source('raw', 'ingest_state') }}
    where stream like 'posthog#_events:%' escape '#'

),

app_extractions as (

    {%- set app_tables = ['tenants', 'executive_recipients', 'deals', 'approval_requests',
        'integration_sync_states', 'compliance_controls', 'consents', 'contradictions',
        'strategic_deals', 'evidence_packs', 'infra_usage'] %}
    {% for table in app_tables %}
        select max(extracted_at) as extracted_at from {{ ref('stg_app__' ~ table) }}
        {{ "union all" if not loop.last }}
    {%- endfor %}

)

select
    -- the fallback is a subquery of coalesce: read (every loaded event) only when no
    -- watermark is recorded, never on a routine run
    coalesce(
        ingest_watermarks.watermark,
        (
            select coalesce(max(events.posthog_created_at), max(events.loaded_at))
            from {{ ref('stg_posthog__events') }} as events
        )
    ) as events_complete_until,
    (select max(app_extractions.extracted_at) from app_extractions) as app_complete_until
from ingest_watermarks
