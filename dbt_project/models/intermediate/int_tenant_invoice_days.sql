{{
    config(
        incremental_strategy='replace_event_days',
        indexes=[
            {'columns': ['event_date', 'tenant_id']},
            {'columns': ['tenant_id', 'invoice_id']}
        ]
    )
}}

{#-
  Payment events per tenant x invoice x event day (UTC), for invoices named by a
  payment_failed or payment_succeeded event: the day's failures (count, and the latest by
  timestamp, then uuid, with its amount, currency and failure code) and the day's first
  success. Enough for revenue at risk to be exact from these rows: the latest failure in
  [D-29, D] is the latest of the days' latest, and an invoice is cured before T by its
  first success on any day <= D. Rebuilt only for the event days of this invocation.
-#}
-- depends_on: {{ ref('int_event_days') }}
-- depends_on: {{ ref('int_as_of_days') }}

with payments as (

    select
        events.tenant_id,
        events.invoice_id,
        {{ boardroom_utc_date('events.event_at') }} as event_date,
        events.event_name,
        events.event_id,
        events.event_at,
        events.amount,
        events.currency,
        events.failure_code
    from {{ ref('stg_posthog__events') }} as events
    where {{ boardroom_event_days_filter('events.event_at', is_incremental()) }}
        and events.event_name in ('payment_failed', 'payment_succeeded')
        and events.invoice_id is not null

),

ranked as (

    select
        payments.*,
        payments.event_name = 'payment_failed'
        and row_number() over (
            partition by
                payments.tenant_id, payments.invoice_id, payments.event_date, payments.event_name
            order by payments.event_at desc, payments.event_id desc
        ) = 1 as is_latest_failure
    from payments

)

select
    tenant_id,
    invoice_id,
    event_date,
    cast(count(*) filter (where event_name = 'payment_failed') as bigint) as failures,
    cast(max(cast(event_id as text)) filter (where is_latest_failure) as uuid)
        as latest_failure_event_id,
    max(event_at) filter (where event_name = 'payment_failed') as latest_failed_at,
    max(amount) filter (where is_latest_failure) as latest_failed_amount,
    max(currency) filter (where is_latest_failure) as latest_failed_currency,
    max(failure_code) filter (where is_latest_failure) as latest_failure_code,
    min(event_at) filter (where event_name = 'payment_succeeded') as first_succeeded_at,
    {{ boardroom_built_at() }} as _built_at
from ranked
group by tenant_id, invoice_id, event_date
