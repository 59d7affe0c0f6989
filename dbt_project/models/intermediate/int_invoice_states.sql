{#-
  Invoice payment state per tenant x as-of day x invoice, for every invoice with a
  payment_failed stamped in [D-29, D]: the latest failure (by timestamp, then uuid) gives
  the amount; the invoice is cured by any payment_succeeded for it stamped before T
  (at any time before T, not only in the window). amount_at_risk is the latest failed
  amount of an uncured invoice, 0 once cured. Read from the per-invoice per-event-day
  rollup int_tenant_invoice_days: the latest failure of the window is the latest of its
  days' latest failures, and a success before T is a success on an event day <= D.
-#}

with tenant_days as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_days'), is_incremental(),
        columns=['tenant_id', 'as_of_date'],
        day_columns=['window_30d_start_date']
    ) }}

),

failure_days as (

    select *
    from {{ ref('int_tenant_invoice_days') }}
    where
        {{ boardroom_rollup_window_filter(
            'event_date', 'd.window_30d_start_date', is_incremental()
        ) }}
        and failures > 0

),

failures_in_window as (

    select
        tenant_days.tenant_id,
        tenant_days.as_of_date,
        failure_days.invoice_id,
        failure_days.latest_failure_event_id,
        failure_days.latest_failed_at,
        failure_days.latest_failed_amount,
        failure_days.latest_failed_currency,
        failure_days.latest_failure_code,
        sum(failure_days.failures) over (
            partition by tenant_days.tenant_id, tenant_days.as_of_date, failure_days.invoice_id
        ) as failures_30d,
        row_number() over (
            partition by tenant_days.tenant_id, tenant_days.as_of_date, failure_days.invoice_id
            order by failure_days.latest_failed_at desc, failure_days.latest_failure_event_id desc
        ) as recency_rank
    from tenant_days
    inner join failure_days
        on failure_days.tenant_id = tenant_days.tenant_id
        and failure_days.event_date
        between tenant_days.window_30d_start_date and tenant_days.as_of_date

),

latest_failures as (

    select * from failures_in_window
    where recency_rank = 1

),

first_successes as (

    -- first success before T: on any event day <= D, for the invoices failing in the window
    select
        latest_failures.tenant_id,
        latest_failures.as_of_date,
        latest_failures.invoice_id,
        min(invoice_days.first_succeeded_at) as first_succeeded_at
    from latest_failures
    inner join {{ ref('int_tenant_invoice_days') }} as invoice_days
        on invoice_days.tenant_id = latest_failures.tenant_id
        and invoice_days.invoice_id = latest_failures.invoice_id
        and invoice_days.event_date <= latest_failures.as_of_date
        and invoice_days.first_succeeded_at is not null
    group by latest_failures.tenant_id, latest_failures.as_of_date, latest_failures.invoice_id

)

select
    latest_failures.tenant_id,
    latest_failures.as_of_date,
    latest_failures.invoice_id,
    latest_failures.latest_failure_event_id,
    latest_failures.latest_failed_at,
    latest_failures.latest_failed_amount,
    latest_failures.latest_failed_currency as currency,
    latest_failures.latest_failure_code as failure_code,
    cast(latest_failures.failures_30d as bigint) as failures_30d,
    first_successes.first_succeeded_at,
    first_successes.first_succeeded_at is not null as is_cured,
    case
        when first_successes.first_succeeded_at is not null then cast(0 as numeric)
        else coalesce(latest_failures.latest_failed_amount, 0)
    end as amount_at_risk,
    {{ boardroom_built_at() }} as _built_at
from latest_failures
left join first_successes
    on first_successes.tenant_id = latest_failures.tenant_id
    and first_successes.as_of_date = latest_failures.as_of_date
    and first_successes.invoice_id = latest_failures.invoice_id
