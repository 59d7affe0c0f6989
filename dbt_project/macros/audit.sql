{#- GitLab-style audit column: when the dbt invocation that wrote the row started. -#}
{% macro boardroom_built_at() -%}
    cast('{{ run_started_at.isoformat() }}' as timestamptz)
{%- endmacro %}

{#-
  numerator / denominator as exact numeric; null when the denominator is 0 (or null).
  trim_scale drops trailing zeros only (0.50000000000000000000 -> 0.5): nothing is rounded.
-#}
{% macro boardroom_ratio(numerator, denominator) -%}
    trim_scale(cast({{ numerator }} as numeric) / nullif({{ denominator }}, 0))
{%- endmacro %}
