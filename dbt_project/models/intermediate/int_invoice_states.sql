{#-
  Invoice payment state per tenant x as-of day x invoice, for every invoice with a
  payment_failed stamped in [D-29, D]: the latest failure (by timestamp, then uuid) gives
  the amount; the invoice is cured by any payment_succeeded for it stamped before T
  (at any time before T, not only in the window). amount_at_risk is the latest failed
  amount of an uncured invoice, 0 once cured.
-#}

with days as (

    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', is_incremental()) }}

),

tenant_days as (

    select tenant_days.tenant_id, tenant_days.as_of_date, days.as_of_at, days.window_30d_start_at
    from {{ ref('int_tenant_days') }} as tenant_days
    inner join days on days.as_of_date = tenant_days.as_of_date

),

bounds as (

    select min(window_30d_start_at) as first_at, max(as_of_at) as last_at from days

),

failures as (

    select events.*
    from {{ ref('stg_posthog__events') }} as events
    cross join bounds
    where events.event_name = 'payment_failed'
        and events.invoice_id is not null
        and events.event_at >= bounds.first_at
        and events.event_at < bounds.last_at

),

first_successes as (

    select
        events.tenant_id,
        events.invoice_id,
        min(events.event_at) as first_succeeded_at
    from {{ ref('stg_posthog__events') }} as events
    cross join bounds
    where events.event_name = 'payment_succeeded'
        and events.invoice_id is not null
        and events.event_at < bounds.last_at
    group by events.tenant_id, events.invoice_id

),

failures_in_window as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        tenant_days.as_of_at,
        failures.invoice_id,
        failures.event_id,
        failures.event_at,
        failures.amount,
        failures.currency,
        failures.failure_code,
        count(*) over (
            partition by tenant_days.tenant_id, tenant_days.as_of_date, failures.invoice_id
        ) as failures_30d,
        row_number() over (
            partition by tenant_days.tenant_id, tenant_days.as_of_date, failures.invoice_id
            order by failures.event_at desc, failures.event_id desc
        ) as recency_rank
    from tenant_days
    inner join failures
        on failures.tenant_id = tenant_days.tenant_id
        and failures.event_at >= tenant_days.window_30d_start_at
        and failures.event_at < tenant_days.as_of_at

)

select
    failures_in_window.tenant_id,
    failures_in_window.as_of_date,
    failures_in_window.invoice_id,
    failures_in_window.event_id as latest_failure_event_id,
    failures_in_window.event_at as latest_failed_at,
    failures_in_window.amount as latest_failed_amount,
    failures_in_window.currency,
    failures_in_window.failure_code,
    cast(failures_in_window.failures_30d as bigint) as failures_30d,
    first_successes.first_succeeded_at,
    coalesce(first_successes.first_succeeded_at < failures_in_window.as_of_at, false) as is_cured,
    case
        when coalesce(first_successes.first_succeeded_at < failures_in_window.as_of_at, false) then cast(0 as numeric)
        else coalesce(failures_in_window.amount, 0)
    end as amount_at_risk,
    {{ boardroom_built_at() }} as _built_at
from failures_in_window
left join first_successes
    on first_successes.tenant_id = failures_in_window.tenant_id
    and first_successes.invoice_id = failures_in_window.invoice_id
where failures_in_window.recency_rank = 1
