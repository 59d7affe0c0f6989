{#-
  Deliverability per tenant x day x channel (email, sms, whatsapp always; 'other' when
  events carry another channel), with the deliverability status of each channel under
  the same rules (seed status_thresholds).
-#}

with days as (

    select * from {{ ref('int_as_of_days') }} as d
    where {{ boardroom_run_days_filter('d', is_incremental()) }}

),

channels as (

    select channels.*, days.data_as_of
    from {{ ref('int_tenant_day_channel_messages') }} as channels
    inner join days on days.as_of_date = channels.as_of_date
        and {{ boardroom_run_days_in('channels.as_of_date', is_incremental()) }}

),

rule_inputs as (

    {{ boardroom_deliverability_rule_inputs('channels', ['tenant_id', 'as_of_date', 'channel']) }}

),

statuses as (

    {{ boardroom_evaluate_statuses('rule_inputs', ['tenant_id', 'as_of_date', 'channel']) }}

)

select
    channels.tenant_id,
    channels.as_of_date,
    channels.channel,
    channels.data_as_of,
    channels.messages_sent_7d,
    channels.messages_delivered_7d,
    channels.messages_bounced_7d,
    channels.messages_complained_7d,
    channels.delivery_rate_7d,
    channels.bounce_rate_7d,
    channels.complaint_rate_7d,
    channels.otp_sent_7d,
    channels.otp_verified_7d,
    channels.otp_verification_rate_7d,
    statuses.status as deliverability_status,
    {{ boardroom_shared_approximation_columns([
        'messages_sent_7d', 'messages_delivered_7d', 'messages_bounced_7d',
        'messages_complained_7d', 'delivery_rate_7d', 'bounce_rate_7d', 'complaint_rate_7d',
        'otp_sent_7d', 'otp_verified_7d', 'otp_verification_rate_7d', 'deliverability_status'
    ]) }},
    {{ boardroom_built_at() }} as _built_at
from channels
inner join statuses
    on statuses.tenant_id = channels.tenant_id
    and statuses.as_of_date = channels.as_of_date
    and statuses.channel = channels.channel
