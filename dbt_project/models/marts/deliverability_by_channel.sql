{#-
  Deliverability per tenant x day x channel (email, sms, whatsapp always; 'other' when
  events carry another channel), with the deliverability status of each channel under
  the same rules (seed status_thresholds).
-#}

with channels as (

    {{ boardroom_run_day_rows(
        ref('int_tenant_day_channel_messages'), is_incremental(), day_columns=['data_as_of']
    ) }}

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
