with source as (

    select * from {{ source('raw', 'posthog_events') }}

),

renamed as (

    select
        cast("uuid" as uuid) as event_id,
        cast("event" as text) as event_name,
        cast(distinct_id as text) as distinct_id,
        cast(tenant_id as text) as tenant_id,
        cast("timestamp" as timestamptz) as event_at,
        cast(created_at as timestamptz) as posthog_created_at,
        cast("_loaded_at" as timestamptz) as loaded_at,
        {{ json_text('properties', 'message_id') }} as message_id,
        {{ json_text('properties', 'channel') }} as channel,
        {{ json_text('properties', 'bounce_type') }} as bounce_type,
        {{ json_text('properties', 'otp_id') }} as otp_id,
        {{ json_text('properties', 'invoice_id') }} as invoice_id,
        {{ json_numeric('properties', 'amount') }} as amount,
        {{ json_text('properties', 'currency') }} as currency,
        {{ json_text('properties', 'failure_code') }} as failure_code,
        {{ json_text('properties', 'endpoint') }} as endpoint,
        {{ json_integer('properties', 'status_code') }} as status_code,
        {{ json_numeric('properties', 'latency_ms') }} as latency_ms
    from source

)

select * from renamed
