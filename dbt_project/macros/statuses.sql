{#-
  Status rules, evaluated in one place against the thresholds of seed status_thresholds.

  `inputs` is a relation or CTE with the columns `keys` + status_name, metric, value
  (numeric) and is_assessable (boolean, the same on every row of a status). For each key
  and status_name the result holds:
    status          unknown when not assessable; else at_risk when some at_risk rule holds,
                    watch when some watch rule holds, ok otherwise. A rule holds when
                    value >= threshold, compared unrounded; a null value triggers nothing.
    trigger_*       the rule that set the status (most severe, then rule_order); null
                    for ok and unknown.
-#}
{% macro boardroom_evaluate_statuses(inputs, keys) -%}
    select
        {% for key in keys %}evaluated.{{ key }},
        {% endfor -%}
        evaluated.status_name,
        case
            when not evaluated.is_assessable then 'unknown'
            when evaluated.is_triggered then evaluated.level
            else 'ok'
        end as status,
        evaluated.is_assessable,
        case when evaluated.is_assessable and evaluated.is_triggered then evaluated.metric end as trigger_metric,
        case when evaluated.is_assessable and evaluated.is_triggered then evaluated.value end as trigger_value,
        case when evaluated.is_assessable and evaluated.is_triggered then evaluated.threshold end as trigger_threshold
    from (
        select distinct on ({% for key in keys %}rule_inputs.{{ key }}, {% endfor %}rule_inputs.status_name)
            {% for key in keys %}rule_inputs.{{ key }},
            {% endfor -%}
            rule_inputs.status_name,
            coalesce(rule_inputs.is_assessable, false) as is_assessable,
            rule_inputs.metric,
            rule_inputs.value,
            thresholds.level,
            thresholds.threshold,
            coalesce(rule_inputs.value >= thresholds.threshold, false) as is_triggered
        from {{ inputs }} as rule_inputs
        inner join {{ ref('status_thresholds') }} as thresholds
            on thresholds.status_name = rule_inputs.status_name
            and thresholds.metric = rule_inputs.metric
        order by
            {% for key in keys %}rule_inputs.{{ key }}, {% endfor %}rule_inputs.status_name,
            coalesce(rule_inputs.value >= thresholds.threshold, false) desc,
            case thresholds.level when 'at_risk' then 2 when 'watch' then 1 else 0 end desc,
            thresholds.rule_order
    ) as evaluated
{%- endmacro %}

{#- Severity of an alert: status at_risk or an SLA breach of a critical/high approval is
    critical; status watch or an SLA breach of a normal/low approval is a warning. -#}
{% macro boardroom_status_alert_severity(status) -%}
    case {{ status }} when 'at_risk' then 'critical' when 'watch' then 'warning' end
{%- endmacro %}

{% macro boardroom_sla_breach_severity(priority) -%}
    case when {{ priority }} in ('critical', 'high') then 'critical' else 'warning' end
{%- endmacro %}

{#-
  Rule inputs of deliverability_status for a relation/CTE with bounce_rate_7d,
  complaint_rate_7d and messages_sent_7d (assessable only when something was sent): the
  one definition used per tenant-day and per channel.
-#}
{% macro boardroom_deliverability_rule_inputs(relation, keys) -%}
    {%- for metric in ['bounce_rate_7d', 'complaint_rate_7d'] %}
    select
        {% for key in keys %}{{ key }}, {% endfor %}
        'deliverability_status' as status_name,
        '{{ metric }}' as metric,
        {{ metric }} as value,
        messages_sent_7d > 0 as is_assessable
    from {{ relation }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
