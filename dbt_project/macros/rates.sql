{#-
  numerator / denominator as exact numeric; null when the denominator is 0 (or null).
  trim_scale drops trailing zeros only (0.50000000000000000000 -> 0.5): nothing is rounded.
-#}
{% macro boardroom_ratio(numerator, denominator) -%}
    trim_scale(cast({{ numerator }} as numeric) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#-
  The 7-day message rates over the message counts of `counts` (a relation alias, or none
  for unqualified columns): delivery_rate_7d, bounce_rate_7d and complaint_rate_7d, each
  a share of messages_sent_7d (null when nothing was sent). One definition for the
  tenant-day, per-channel and platform-wide rates.
-#}
{% macro boardroom_message_rates_7d(counts=none) -%}
    {%- set prefix = counts ~ '.' if counts else '' -%}
    {%- for rate, count in [
        ('delivery_rate_7d', 'messages_delivered_7d'),
        ('bounce_rate_7d', 'messages_bounced_7d'),
        ('complaint_rate_7d', 'messages_complained_7d')
    ] %}
    {{ boardroom_ratio(prefix ~ count, prefix ~ 'messages_sent_7d') }} as {{ rate }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
