{#- Deliverability, tenant x day: message and OTP events (PostHog), rates over counts. -#}

with scorecard as (

    {{ boardroom_run_day_rows(ref('int_tenant_day_scorecard'), is_incremental()) }}

)

select
    tenant_id,
    as_of_date,
    data_as_of,
    messages_sent_7d,
    messages_delivered_7d,
    messages_bounced_7d,
    messages_complained_7d,
    delivery_rate_7d,
    bounce_rate_7d,
    complaint_rate_7d,
    otp_sent_7d,
    otp_verified_7d,
    otp_verification_rate_7d,
    deliverability_status,
    {{ boardroom_shared_approximation_columns([
        'messages_sent_7d', 'messages_delivered_7d', 'messages_bounced_7d',
        'messages_complained_7d', 'delivery_rate_7d', 'bounce_rate_7d', 'complaint_rate_7d',
        'otp_sent_7d', 'otp_verified_7d', 'otp_verification_rate_7d', 'deliverability_status'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from scorecard
